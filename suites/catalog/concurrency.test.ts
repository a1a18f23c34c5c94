// Several ocicat processes writing one cache at once: every reference lands,
// refs.json stays valid, and no lock or temp file is left behind.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import { ocicat } from '../support/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-conc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function walk(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

it('six processes packaging into one cache leave it consistent', async () => {
  const home = join(dir, 'home');
  const names = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
  for (const n of names) await writeSampleCatalog(join(dir, n), n);
  // each catalog twice: same repository, same tags, racing on one layout too
  const runs = await Promise.all(
    [...names, ...names].map((n) =>
      ocicat(['catalog', 'package', 'oci://registry.test/conc/', '--work-dir', join(dir, n), '--json'], {
        home,
      }),
    ),
  );
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  const list = JSON.parse((await ocicat(['catalog', 'list', '--json'], { home })).stdout) as Array<{
    name: string;
  }>;
  expect(list.map((e) => e.name).sort()).toEqual(names);
  JSON.parse(await readFile(join(home, 'cache/refs.json'), 'utf8'));
  const leftovers = (await walk(home)).filter(
    (p) => p.endsWith('.lock') || p.endsWith('.part') || p.endsWith('.tmp'),
  );
  expect(leftovers).toEqual([]);
  // and every cached catalog unpacks
  for (const n of names) {
    const r = await ocicat(
      ['catalog', 'unpackage', `oci://registry.test/conc/${n}:1.0.0`, join(dir, `out-${n}`)],
      { home },
    );
    expect(r.code, r.stderr).toBe(0);
  }
});

it('eight processes pulling and packaging into one cache at once leave it consistent', async (ctx) => {
  const { startDistribution2 } = await import('../../registries/process/distribution2.ts');
  const { tryStart } = await import('../support/registry.ts');
  const { reg, skip } = await tryStart(() => startDistribution2());
  if (!reg) return ctx.skip(skip ?? 'no registry');
  await using _ = reg;
  const pub = join(dir, 'pub-home');
  await writeSampleCatalog(join(dir, 'shared'), 'shared');
  const pkg = JSON.parse(
    (
      await ocicat(
        ['catalog', 'package', `oci://${reg.host}/conc/`, '--work-dir', join(dir, 'shared'), '--json'],
        { home: pub },
      )
    ).stdout,
  );
  expect((await ocicat(['catalog', 'push', pkg.reference, '--plain-http'], { home: pub })).code).toBe(0);
  const home = join(dir, 'home8');
  const locals = ['p1', 'p2', 'p3', 'p4'];
  for (const n of locals) await writeSampleCatalog(join(dir, n), n);
  const runs = await Promise.all([
    ...[1, 2, 3, 4].map(() => ocicat(['catalog', 'pull', pkg.reference, '--plain-http', '--json'], { home })),
    ...locals.map((n) =>
      ocicat(['catalog', 'package', `oci://${reg.host}/conc/`, '--work-dir', join(dir, n), '--json'], {
        home,
      }),
    ),
  ]);
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  const list = JSON.parse((await ocicat(['catalog', 'list', '--json'], { home })).stdout) as Array<{
    name: string;
    digest: string;
  }>;
  expect(list.map((e) => e.name).sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'shared']);
  expect(list.find((e) => e.name === 'shared')?.digest).toBe(pkg.digest);
  const leftovers = (await walk(home)).filter(
    (p) => p.endsWith('.lock') || p.endsWith('.part') || p.endsWith('.tmp'),
  );
  expect(leftovers).toEqual([]);
  for (const e of list) {
    const out = join(dir, `out8-${e.name}`);
    const ref = e.name === 'shared' ? pkg.reference : `oci://${reg.host}/conc/${e.name}:1.0.0`;
    const r = await ocicat(['catalog', 'unpackage', ref, out], { home });
    expect(r.code, r.stderr).toBe(0);
  }
});

// issue 24 N7: a stale refs.lock (its owner killed) met by eight packages at once:
// each that judged it stale used to remove it, and a reference was lost in about
// 1 round of 30 while every command said it succeeded
it('eight processes meeting a stale refs.lock all record their catalog', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFile, mkdir } = await import('node:fs/promises');
  const { hostname } = await import('node:os');
  const names = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
  for (const n of names) await writeSampleCatalog(join(dir, n), n);
  for (let round = 0; round < 3; round++) {
    const home = join(dir, `stale-home-${round}`);
    await mkdir(join(home, 'cache'), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout;
    await writeFile(join(home, 'cache', 'refs.lock'), `${dead}\n${hostname()}\n`);
    const runs = await Promise.all(
      names.map((n) =>
        ocicat(['catalog', 'package', 'oci://registry.test/stale/', '--work-dir', join(dir, n), '--json'], {
          home,
        }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse((await ocicat(['catalog', 'list', '--json'], { home })).stdout) as Array<{
      name: string;
    }>;
    expect(list.map((e) => e.name).sort(), `round ${round}`).toEqual(names);
    expect((await walk(home)).filter((p) => /\.lock|\.break-|\.tmp$/.test(p))).toEqual([]);
  }
});
