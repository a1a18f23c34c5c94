// The CLI runs from its bundle (scripts/build.ts) only while the bundle matches
// the source it was built from (bin/fresh-bundle.js).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript, without types
import { freshBundle } from '../../bin/fresh-bundle.js';
import { buildAll } from '../../scripts/build.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('bundle freshness', () => {
  it('is used while every input hashes the same, and not after a change or without its manifest', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ocicat-bundle-'));
    dirs.push(root);
    const url = pathToFileURL(`${root}/`);
    await mkdir(join(root, 'dist'));
    await writeFile(join(root, 'a.ts'), 'export const a = 1;\n');
    expect(freshBundle('cli', url)).toBeUndefined(); // no manifest
    await writeFile(
      join(root, 'dist', 'cli.json'),
      JSON.stringify({ inputs: { 'a.ts': sha('export const a = 1;\n') } }),
    );
    expect(freshBundle('cli', url)).toBe(new URL('dist/cli.mjs', url).href);
    await writeFile(join(root, 'a.ts'), 'export const a = 2;\n');
    expect(freshBundle('cli', url)).toBeUndefined(); // edited since the build
    await rm(join(root, 'a.ts'));
    expect(freshBundle('cli', url)).toBeUndefined(); // gone
  });

  it('the built CLI bundle is fresh and runs', async () => {
    await buildAll();
    const href = freshBundle('cli') as string | undefined;
    expect(href).toMatch(/dist\/cli\.mjs$/);
    const { main } = (await import(href!)) as { main: (argv: string[], io?: unknown) => Promise<number> };
    let out = '';
    const code = await main(['--help'], {
      out: (s: string) => {
        out += s;
      },
      err: () => {},
      isTTY: false,
    });
    expect(code).toBe(0);
    expect(out).toMatch(/usage: ocicat <command>/);
    expect(out).toMatch(/conformance run/);
  });

  it('counts the download worker among the CLI bundle inputs, so an edit to it is never run stale', async () => {
    await buildAll();
    const { inputs } = JSON.parse(
      await readFile(join(import.meta.dirname, '..', '..', 'dist', 'cli.json'), 'utf8'),
    ) as {
      inputs: Record<string, string>;
    };
    // the CLI starts dist/blob-worker.mjs by URL, so the bundler alone would not list it
    expect(Object.keys(inputs)).toContain('harness/remote/blob-worker.ts');
  });
});
