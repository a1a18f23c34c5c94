// The real registries of issue 23, through the real CLI: olareg 0.2.2 in all its
// variants (the most conformant registry here), and distribution 3.1.1 beside
// 3.1.2 in one run, compared column to column by `report diff`. Verdicts measured
// here, as REGISTRY-FACTS "Seen here on 2026-12-01" records them.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../../registries/tools.ts';
import type { Results } from '../../reports/results.ts';
import { ocicat } from '../support/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-new-registries-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const read = async (out: string) => JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;

describe('olareg 0.2.2', () => {
  it('every process variant runs, version 0.2.2, no fail or error, the official rows pass', async (ctx) => {
    if (!(await findTool('olareg'))) return ctx.skip('olareg is not built (npm run setup)');
    if (!(await findTool('conformance'))) return ctx.skip('the official suite is not built (npm run setup)');
    const out = join(dir, 'olareg');
    const features = ['referrers.', 'push.blob.monolithic', 'catalog.pull', 'delete.', 'auth.', 'oci.'];
    const run = await ocicat(
      [
        'conformance',
        'run',
        '--registry',
        'olareg/process/*',
        ...features.flatMap((f) => ['--feature', f]),
        '--out',
        out,
      ],
      { home: join(dir, 'h-olareg') },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const r = await read(out);
    const ids = r.registries.filter((x) => x.state === 'ran').map((x) => x.id);
    expect(ids.sort()).toEqual([
      'olareg/process/anonymous',
      'olareg/process/htpasswd',
      'olareg/process/tls',
      'olareg/process/token',
    ]);
    for (const x of r.registries) expect(x.version, x.id).toBe('0.2.2');
    const bad = r.results.filter((c) => c.status === 'fail' || c.status === 'error');
    expect(bad.map((c) => `${c.registry} ${c.feature}: ${c.detail}`)).toEqual([]);
    for (const id of ids) {
      expect(r.results.find((c) => c.registry === id && c.feature === 'referrers.api')?.status).toBe('pass');
      const official = r.results.filter((c) => c.registry === id && c.feature.startsWith('oci.'));
      expect(official.length).toBeGreaterThan(40);
      // every official row the suite ran passed (its off-by-default rows are skips)
      expect(official.filter((c) => c.status !== 'pass' && c.status !== 'skip')).toEqual([]);
    }
  });
});

describe('distribution 3.1.1 and 3.1.2 in one run', () => {
  it('report diff between the two columns prints exactly the fixes of 3.1.2', async (ctx) => {
    for (const t of ['registry', 'registry-3.1.2'])
      if (!(await findTool(t))) return ctx.skip(`${t} is not built (npm run setup)`);
    const out = join(dir, 'd3');
    const features = [
      'manifest.bad-digest-reference',
      'push.blob.out-of-order',
      'push.blob.sha512',
      'manifest.non-distributable',
      'push.blob.monolithic',
    ];
    const A = 'distribution3.1.1/process/anonymous';
    const B = 'distribution3.1.2/process/anonymous';
    const run = await ocicat(
      [
        'conformance',
        'run',
        '--registry',
        A,
        '--registry',
        B,
        ...features.flatMap((f) => ['--feature', f]),
        '--out',
        out,
        '--fail-on',
        'never',
      ],
      { home: join(dir, 'h-d3') },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const r = await read(out);
    const status = (reg: string, f: string) =>
      r.results.find((c) => c.registry === reg && c.feature === f)?.status;
    expect(r.registries.find((x) => x.id === A)?.version).toBe('3.1.1');
    expect(r.registries.find((x) => x.id === B)?.version).toBe('3.1.2');
    // REGISTRY-FACTS: 3.1.2 fixes these two, and not sha512 nor non-distributable layers
    for (const f of ['manifest.bad-digest-reference', 'push.blob.out-of-order']) {
      expect(status(A, f), f).toBe('fail');
      expect(status(B, f), f).toBe('pass');
    }
    for (const f of ['push.blob.sha512', 'manifest.non-distributable']) {
      expect(status(A, f), f).toBe('fail');
      expect(status(B, f), f).toBe('fail');
    }
    const diff = await ocicat(['report', 'diff', out, '--registry', A, '--registry', B], {
      home: join(dir, 'h-d3'),
    });
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout.trim().split('\n')).toEqual([
      `improvement ${A} -> ${B} manifest.bad-digest-reference: fail -> pass (400)`,
      expect.stringMatching(
        new RegExp(`^improvement ${A.replace(/\./g, '\\.')} -> .* push\\.blob\\.out-of-order: fail -> pass`),
      ),
    ]);
    // bad input: a registry the run does not have
    const none = await ocicat(['report', 'diff', out, '--registry', A, '--registry', 'distribution9/x'], {
      home: join(dir, 'h-d3'),
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: the run has no registry "distribution9\/x"/);
  });
});
