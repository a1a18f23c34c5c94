// A small results.json for renderer tests: two registries, three features,
// every status.
import { analyse } from './defects.ts';
import { type Results, SCHEMA_VERSION } from './results.ts';

/** The sample, with its defects derived from its cells (reports/defects.ts) unless given. */
export function sampleResults(overrides: Partial<Results> = {}): Results {
  const r = sampleCells(overrides);
  if (overrides.defects) return r;
  const a = analyse(r.results, new Map(), r.features);
  return { ...r, results: a.rows, defects: a.defects, disagreements: a.disagreements };
}

function sampleCells(overrides: Partial<Results>): Results {
  return {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: 'sample',
      startedAt: '2026-11-22T10:00:00.000Z',
      finishedAt: '2026-11-22T10:01:00.000Z',
      durationMs: 60_000,
      ocicat: '0.1.0',
      node: 'v24',
      platform: 'linux-x64',
    },
    registries: [
      {
        id: 'reg-a',
        title: 'A',
        name: 'a',
        version: '1.0.0',
        provider: 'process',
        auth: 'anonymous',
        state: 'ran',
        throughput: { pushMiBps: 100, pullMiBps: 300 },
      },
      {
        id: 'reg-b',
        title: 'B',
        name: 'b',
        version: '',
        provider: 'remote',
        auth: 'credentials',
        state: 'unavailable',
        reason: 'unreachable',
      },
    ],
    features: [
      { id: 'push.blob.monolithic', title: 'Monolithic <upload> & "quotes"', area: 'push', optional: false },
      { id: 'referrers.api', title: 'Referrers API', area: 'referrers', optional: true },
      { id: 'catalog.push', title: 'Catalog push', area: 'catalog', optional: false },
    ],
    results: [
      { registry: 'reg-a', feature: 'push.blob.monolithic', status: 'pass', durationMs: 10, detail: '' },
      {
        registry: 'reg-a',
        feature: 'referrers.api',
        status: 'unsupported',
        durationMs: 5,
        detail: '404',
        evidence: ['GET http://h/v2/x/referrers/sha256:1 -> 404'],
      },
      {
        registry: 'reg-a',
        feature: 'catalog.push',
        status: 'fallback',
        durationMs: 7,
        detail: 'fallback form (415)',
        evidence: ['PUT http://h/v2/x/manifests/1 -> 415'],
      },
      {
        registry: 'reg-b',
        feature: 'push.blob.monolithic',
        status: 'fail',
        durationMs: 1,
        detail: 'digest <mismatch> & more',
        evidence: ['PUT -> 201', 'Authorization: Bearer [redacted]'],
      },
      {
        registry: 'reg-b',
        feature: 'referrers.api',
        status: 'error',
        durationMs: 1,
        detail: 'harness broke',
      },
      {
        registry: 'reg-b',
        feature: 'catalog.push',
        status: 'skip',
        durationMs: 0,
        detail: 'registry unavailable: unreachable',
      },
    ],
    defects: [],
    disagreements: [],
    ...overrides,
  };
}
