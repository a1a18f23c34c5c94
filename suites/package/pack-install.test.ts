// The package a publish would upload, as a user meets it (issue 16): packed,
// installed into a temp prefix, and run from a temp folder outside the repository,
// with every Node on PATH that package.json "engines" accepts: --version, a
// catalog round trip against a real distribution, a vendor conformance run with a
// registries file, and the report commands on its results.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../../fixtures/tree.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import type { Results } from '../../reports/results.ts';
import { ocicat } from '../support/cli.ts';
import { type Installed, nodesOnPath, packAndInstall } from '../support/package.ts';
import { tryStart } from '../support/registry.ts';
import { vendorRun } from '../support/vendor-run.ts';

const run = promisify(execFile);
const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
const PASSWORD = 'pack-Pa55-word';
let dir: string;
let installed: Installed;
let reg: StartedRegistry | undefined;
let skip = '';
const nodes = (await nodesOnPath()).filter((n) => semver.satisfies(n.version, pkg.engines.node));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-package-'));
  installed = await packAndInstall(dir);
  const a = await tryStart(() =>
    startDistribution2({ auth: 'htpasswd', login: { username: 'vendor', password: PASSWORD } }),
  );
  reg = a.reg;
  skip = a.skip ?? '';
}, 300_000);
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the bundles and the command, no TypeScript, no development files', async () => {
    const { stdout } = await run('tar', ['-tzf', installed.tarball]);
    const files = stdout.trim().split('\n').sort();
    expect(files).toEqual(
      [...pkg.files, 'package.json', 'README.md'].map((f: string) => `package/${f}`).sort(),
    );
    const manifest = JSON.parse(
      (await run('tar', ['-xzOf', installed.tarball, 'package/package.json'])).stdout,
    );
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ ocicat: 'bin/ocicat.js' });
    expect(manifest.engines.node).toBeTruthy();
    // what runs at run time only: the bundles carry the rest
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['testcontainers', 'vitest']);
  });

  it('runs on every Node on PATH that "engines" accepts', () => {
    expect(nodes.length, 'no Node on PATH satisfies engines').toBeGreaterThan(0);
  });

  for (const { node, version } of nodes) {
    describe(`with Node ${version}`, () => {
      it('--version prints the package version, from a folder outside the repository', async () => {
        const cwd = await mkdtemp(join(dir, 'cwd-'));
        const r = await ocicat(['--version'], { home: join(cwd, 'home'), cwd, bin: installed.bin, node });
        expect(r.stdout).toBe(`ocicat ${pkg.version}\n`);
        // the link npm made on PATH runs it too
        const linked = await run(join(installed.binDir, 'ocicat'), ['--version'], { cwd });
        expect(linked.stdout).toBe(`ocicat ${pkg.version}\n`);
      });

      it('a catalog round trip: create, add, package, push, pull into a new cache, unpackage', async (ctx) => {
        if (!reg) return ctx.skip(skip);
        const cwd = await mkdtemp(join(dir, 'cwd-'));
        const cli = (args: string[], home: string, at = cwd) =>
          ocicat([...args, '--plain-http', '--no-progress'], {
            home: join(cwd, home),
            cwd: at,
            bin: installed.bin,
            node,
            input: PASSWORD,
          });
        const ok = async (p: ReturnType<typeof cli>) => {
          const r = await p;
          expect(r.code, r.stdout + r.stderr).toBe(0);
          return r;
        };
        await ok(cli(['catalog', 'create', 'shop'], 'a'));
        const shop = join(cwd, 'shop');
        await ok(cli(['catalog', 'add', 'web'], 'a', shop));
        for (const home of ['a', 'b'])
          await ok(cli(['catalog', 'login', reg.host, '-u', 'vendor', '--password-stdin'], home));
        const base = `oci://${reg.host}/pack/${version.replaceAll('.', '-')}/`;
        await ok(cli(['catalog', 'package', base], 'a', shop));
        await ok(cli(['catalog', 'push', `${base}shop:0.1.0`], 'a'));
        await ok(cli(['catalog', 'pull', `${base}shop:0.1.0`], 'b'));
        await ok(cli(['catalog', 'unpackage', `${base}shop:0.1.0`, join(cwd, 'out')], 'b'));
        expect(await snapshot(join(cwd, 'out'))).toEqual(await snapshot(shop));
      });
    });
  }

  it('a vendor conformance run with a registries file, reports in ./out/conformance, then report render and diff', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    const { node } = nodes[0]!;
    const cwd = await mkdtemp(join(dir, 'vendor-'));
    const features = ['push.blob.monolithic', 'pull.verify-digest', 'catalog.push', 'catalog.pull'];
    // no --out: the reports go to ./out/conformance of the folder it runs in
    const r = await vendorRun({
      dir: cwd,
      cwd,
      url: `http://${reg.host}`,
      password: PASSWORD,
      features,
      out: null,
      bin: installed.bin,
      node,
    });
    const out = join(cwd, 'out', 'conformance');
    expect(r.out).toBe(out);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    expect(r.code, JSON.stringify(results.results.filter((c) => c.status !== 'pass'))).toBe(0);
    expect(results.run.ocicat).toBe(pkg.version);
    const cells = results.results.filter((c) => c.registry === 'remote/acme');
    expect(cells.length).toBeGreaterThanOrEqual(features.length);
    expect(
      cells.every((c) => c.status === 'pass'),
      JSON.stringify(cells.map((c) => c.status)),
    ).toBe(true);
    expect(r.stdout + r.stderr).toMatch(/cleaned remote\/acme: \d+ deleted, 0 refused, 0 left/);
    expect(r.stdout + r.stderr + (await readFile(join(out, 'report.md'), 'utf8'))).not.toContain(PASSWORD);

    await rm(join(out, 'report.html'));
    const render = await ocicat(['report', 'render', out], { home: '', cwd, bin: installed.bin, node });
    expect(render.code, render.stderr).toBe(0);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('remote/acme');
    const diff = await ocicat(['report', 'diff', out, out], { home: '', cwd, bin: installed.bin, node });
    expect(diff.code, diff.stderr).toBe(0);
  });
});
