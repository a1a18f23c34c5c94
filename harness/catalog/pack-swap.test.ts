// package reads what its walk saw, and only that (issue 24 N5): a file swapped
// for a link after the walk, or a folder on its way swapped for a link, ends the
// package with "changed while it was packed" instead of reading the file the link
// names. The swap is made between the walk (packTree) and the read (its stream),
// which the CLI cannot time; this is the function `catalog package` runs.
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTree } from './pack.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-swap-'));
  await mkdir(join(dir, 'outside'));
  await writeFile(join(dir, 'outside', 'secret'), 'the secret', { mode: 0o600 });
  await writeFile(join(dir, 'outside', 'big'), Buffer.alloc(2 * 1024 * 1024, 7), { mode: 0o600 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function drain(stream: AsyncIterable<Buffer>): Promise<unknown> {
  try {
    for await (const _ of stream) void _;
    return 'ok';
  } catch (e) {
    return e;
  }
}

describe('package reads only what its walk saw', () => {
  it.for([
    ['a small file swapped for a link', 'secret', 'file'],
    ['a large file swapped for a link', 'big', 'file'],
    ['the folder above a file swapped for a link', 'secret', 'folder'],
  ] as const)('%s: refused, nothing of the link target read', async ([, name, what]) => {
    const src = join(dir, `src-${name}-${what}`);
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'Catalog.yaml'), 'x');
    const size = name === 'big' ? 2 * 1024 * 1024 : 10;
    await writeFile(join(src, 'sub', name), Buffer.alloc(size, 1));
    const packed = await packTree(src, 'c');
    if (what === 'file') {
      await rm(join(src, 'sub', name));
      await symlink(join(dir, 'outside', name), join(src, 'sub', name));
    } else {
      await rename(join(src, 'sub'), join(src, 'sub-moved'));
      await symlink(join(dir, 'outside'), join(src, 'sub'));
    }
    const err = await drain(packed.stream);
    expect(String(err)).toMatch(/changed while it was packed/);
  });

  it('a tree left alone packs', async () => {
    const src = join(dir, 'calm');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub', 'f'), 'f');
    expect(await drain((await packTree(src, 'c')).stream)).toBe('ok');
  });
});
