// Defects instead of cells, against real registries and the real official suite
// (issue 22): every test case name the pinned suite writes on distribution 2.8,
// 3.1.1 and olareg is classified, and the classification reproduces the suite's own
// FAIL rows; distribution 3.1.1's defects are exactly its four measured ones, each
// with the official rows it explains, and nothing disagrees; behind proxy rules
// that make a healthy registry (olareg) behave like Zot with dedupe and like
// Harbor on the empty JSON blob, the delete cases fail, the official rows failing
// through them are explained by those defects, and nothing disagrees.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { olareg } from '../../registries/definitions/olareg.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { keepsEmptyJsonBlob, keepsSharedBlobs } from '../../registries/proxy/blob-delete-quirks.ts';
import { acr } from '../../registries/proxy/profiles/acr.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { Rule } from '../../registries/proxy/rule.ts';
import { findTool } from '../../registries/tools.ts';
import { analyse } from '../../reports/defects.ts';
import type { Results } from '../../reports/results.ts';
import { ocicat } from '../support/cli.ts';
import { plainTarget } from '../support/feature-verdict.ts';
import { tryStart } from '../support/registry.ts';
import { chunkedBodyFeatures } from './features/chunked-body.ts';
import { manifestShapeFeatures } from './features/manifest-shapes.ts';
import { specDepthFeatures } from './features/spec-depth.ts';
import { classifyCase, junitCases } from './official/cases.ts';
import { officialId } from './official/rows.ts';
import { runOfficial } from './official/run.ts';
import { runFeature } from './run-feature.ts';
import type { Target } from './target.ts';

const D2 = 'distribution2/process/anonymous';
const D311 = 'distribution3.1.1/process/anonymous';
const OLA = 'olareg/process/anonymous';
let dir: string;
let have = false;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-defects-'));
  have = (await findTool('conformance')) !== undefined && (await findTool('olareg')) !== undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('defects on real registries', () => {
  it('distribution 2.8, 3.1.1 and olareg: every case classified, 3.1.1 exactly its four defects, no disagreement', async (ctx) => {
    if (!have) return ctx.skip('the official suite or olareg is not built (npm run setup)');
    const out = join(dir, 'three');
    const run = await ocicat(
      [
        'conformance',
        'run',
        '--registry',
        D2,
        '--registry',
        D311,
        '--registry',
        OLA,
        '--out',
        out,
        '--fail-on',
        'never',
      ],
      { home: join(dir, 'h1') },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    if (/unavailable distribution/.test(run.stdout)) return ctx.skip('distribution is not installed here');
    const r = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    // 1. every case name, and the suite's own FAIL rows reproduced from the classification
    const evidence = join(out, 'evidence');
    const dirs = (await readdir(evidence)).filter((d) =>
      [D2, D311, OLA].some((x) => x.replace(/\//g, '_') === d),
    );
    expect(dirs).toHaveLength(3);
    for (const d of dirs) {
      const cases = junitCases(await readFile(join(evidence, d, 'official', 'junit.xml'), 'utf8'));
      expect(cases.length, d).toBeGreaterThan(300);
      expect(
        cases.filter((c) => !classifyCase(c.name)).map((c) => c.name),
        d,
      ).toEqual([]);
      const y = parse(await readFile(join(evidence, d, 'official', 'results.yaml'), 'utf8')) as {
        apis: Record<string, string>;
        data: Record<string, string>;
      };
      const failRows = [
        ...Object.entries(y.apis).flatMap(([k, v]) => (v === 'FAIL' ? [officialId('api', k)] : [])),
        ...Object.entries(y.data).flatMap(([k, v]) => (v === 'FAIL' ? [officialId('data', k)] : [])),
      ].sort();
      const byCases = [
        ...new Set(cases.filter((c) => c.status === 'fail').flatMap((c) => classifyCase(c.name)!.rows)),
      ].sort();
      expect(byCases, d).toEqual(failRows);
    }
    // 2. distribution 3.1.1: its four defects (REGISTRY-FACTS), each explaining official rows
    const of = (reg: string) => r.defects.filter((x) => x.registry === reg);
    expect(
      of(D311)
        .map((x) => x.id)
        .sort(),
    ).toEqual([
      'manifest.bad-digest-reference',
      'manifest.non-distributable',
      'push.blob.out-of-order',
      'push.blob.sha512',
    ]);
    for (const x of of(D311))
      expect(
        x.rows.some((row) => row.startsWith('oci.')),
        x.id,
      ).toBe(true);
    // every fail cell names what is behind it; nothing disagrees
    const unnamed = r.results.filter((x) => x.status === 'fail' && !x.defects?.length && !x.lacks?.length);
    expect(unnamed.map((x) => `${x.registry} ${x.feature}`)).toEqual([]);
    expect(r.disagreements).toEqual([]);
    // olareg 0.2.2 drops the connection on tags/list?n=0 (it panics: index out of range)
    expect(of(OLA).map((x) => x.id)).toEqual(['tags.n-zero']);
    // missing optional features stay unsupported, never defects
    expect(of(D2).map((x) => x.id)).not.toContain('referrers.api');
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(
      /\| \[distribution3\.1\.1\/process\/anonymous\]\(#[^)]+\) \| 3\.1\.1 \| process \| anonymous \| ran \| 4 \|/,
    );
  });
});

describe('behind proxy rules, a healthy registry that deletes like Zot and like Harbor', () => {
  const target = (host: string, id: string): Target => plainTarget(host, id, `defects-${id}`);

  async function measure(
    rules: Rule[],
    id: string,
    features = specDepthFeatures.filter((x) => x.id.startsWith('delete.blob')),
  ) {
    const { reg, skip } = await tryStart(() => startProcess(olareg));
    if (!reg) return { skip };
    await using _ = reg;
    await using proxy = await startProxy(reg, rules);
    const t = target(proxy.host, id);
    const rows = [];
    for (const f of features) rows.push(await runFeature(f, { targets: [t] }, t));
    const official = await runOfficial(t, [], join(dir, id), `evidence/${id}/official`);
    rows.push(...official.rows);
    return { a: analyse(rows, new Map([[id, official.cases]]), []), official };
  }

  it.for([
    ['zot', keepsSharedBlobs, 'delete.blob.shared', ['sha256 blobs/mount/blob-delete']],
    ['harbor', keepsEmptyJsonBlob, 'delete.blob.empty-config', ['sha256 blobs/emptyJSON/blob-delete']],
  ] as const)(
    'like %s: its delete case fails, the official rows failing through it are explained',
    async ([id, rules, check, cases], ctx) => {
      if (!have) return ctx.skip('the official suite or olareg is not built (npm run setup)');
      const m = await measure(rules(), id);
      if (!m.a) return ctx.skip(m.skip ?? 'no registry');
      const { a, official } = m;
      const failing = official.cases.filter((c) => c.status === 'fail').map((c) => c.name);
      for (const c of cases) expect(failing).toContain(c);
      expect(a.rows.find((x) => x.feature === check)?.status).toBe('fail');
      // one defect: the check's, explaining every failing official row
      expect(a.defects.map((d) => d.id)).toEqual([check]);
      const failRows = a.rows.filter((x) => x.feature.startsWith('oci.') && x.status === 'fail');
      expect(failRows.length).toBeGreaterThan(0);
      for (const x of failRows) expect(x.defects, x.feature).toEqual([check]);
      expect(a.defects[0]!.rows).toEqual(
        expect.arrayContaining(['oci.api.blob-delete-atomic', 'oci.data.blobs-sha256']),
      );
      expect(a.disagreements).toEqual([]);
      // and the other delete cases, which the rule leaves alone, pass
      expect(a.rows.find((x) => x.feature === 'delete.blob')?.status).toBe('pass');
    },
  );

  it('like ACR: bodies sent chunked are refused; that one defect explains every failing official row, nothing disagrees', async (ctx) => {
    if (!have) return ctx.skip('the official suite or olareg is not built (npm run setup)');
    // the ACR profile's rule alone (REGISTRY-FACTS: chunked transfer encoding -> 400)
    const rules = acr.rules().filter((r) => r.name === 'acr: Transfer-Encoding chunked');
    expect(rules).toHaveLength(1);
    const shapes = manifestShapeFeatures.filter((f) =>
      ['manifest.shape.nested-index', 'manifest.shape.data-field'].includes(f.id),
    );
    const m = await measure(rules, 'acr', [...chunkedBodyFeatures, ...shapes]);
    if (!m.a) return ctx.skip(m.skip ?? 'no registry');
    const { a, official } = m;
    expect(a.rows.find((x) => x.feature === 'push.chunked-body')?.detail).toMatch(
      /400 CONTENT_LENGTH_INVALID/,
    );
    // ocicat's own pushes carry Content-Length: its checks of the same data sets pass
    for (const f of shapes) expect(a.rows.find((x) => x.feature === f.id)?.status, f.id).toBe('pass');
    // the suite's data sets fail (their manifest PUTs go out chunked), all through the one defect
    const failing = official.cases.filter((c) => c.status === 'fail').map((c) => c.name);
    expect(failing).toEqual(expect.arrayContaining(['nested-index/push/manifest-by-digest']));
    expect(a.defects.map((d) => d.id)).toEqual(['push.chunked-body']);
    const failRows = a.rows.filter((x) => x.feature.startsWith('oci.') && x.status === 'fail');
    expect(failRows.length).toBeGreaterThan(10);
    for (const x of failRows) expect(x.defects, x.feature).toEqual(['push.chunked-body']);
    expect(a.disagreements).toEqual([]);
  });
});
