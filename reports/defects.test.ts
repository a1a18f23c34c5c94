// Defects and disagreements (defects.ts) on runs built to have each shape: a check's
// defect explaining official rows, a case no check explains, a capability lacking,
// opposite verdicts both ways, a case name nobody classified, and a schema 1 file.
import { describe, expect, it } from 'vitest';
import type { FeatureResult } from '../suites/conformance/run-feature.ts';
import { analyse, type FailedCase, smallestEvidence } from './defects.ts';
import { SCHEMA_VERSION, validateResults } from './results.ts';

const R = 'reg';
const row = (feature: string, status: FeatureResult['status'], extra: Partial<FeatureResult> = {}) =>
  ({
    registry: R,
    feature,
    status,
    durationMs: 1,
    detail: `${feature} ${status}`,
    ...extra,
  }) as FeatureResult;
const features = [
  { id: 'push.blob.sha512', title: 'sha512', optional: false },
  { id: 'delete.blob.shared', title: 'shared', optional: true },
];
const run = (rows: FeatureResult[], cases: FailedCase[]) =>
  analyse(rows, new Map([[R, cases]]), features, () => 'evidence/reg/official/report.html');

describe('analyse', () => {
  it('a 429 to the suite is its rate limit, one defect, with the data set it kept from being stored', () => {
    const a = run(
      [row('manifest.shape.nested-index', 'pass'), row('oci.data.nested-index', 'fail')],
      [
        {
          name: 'nested-index/push/manifest-by-digest',
          status: 'fail',
          exchange: 'PUT http://h/v2/x/manifests/sha256:1 -> 429\n  {"errors":[{"code":"TOOMANYREQUESTS"}]}',
        },
        {
          name: 'nested-index/pull/manifest-by-digest',
          status: 'fail',
          exchange: 'GET http://h/v2/x/manifests/sha256:1 -> 404',
        },
        // another data set's 404 with no refused push: a case of its own
        {
          name: 'data-field/pull/manifest-by-tag',
          status: 'fail',
          exchange: 'GET http://h/v2/x/manifests/v1 -> 404',
        },
      ],
    );
    const limited = a.defects.find((d) => d.id === 'official:rate-limited');
    expect(limited?.cases).toEqual([
      'nested-index/push/manifest-by-digest',
      'nested-index/pull/manifest-by-digest',
    ]);
    expect(limited?.rows).toEqual(['oci.data.nested-index']);
    expect(a.defects.map((d) => d.id)).toContain('official:data-field');
    expect(a.disagreements.map((d) => d.case)).toEqual([]);
  });

  it('a refusal of how requests are framed explains any case refused the same way, and its data set after a refused push', () => {
    const chunked = 'PUT http://h/v2/x/manifests/v1: 400 CONTENT_LENGTH_INVALID: Content-Length is required';
    const refused = (what: string) =>
      `PUT http://h/v2/x/${what} -> 400\n  Content-Type: [application/json]\n  {"errors":[{"code":"CONTENT_LENGTH_INVALID","message":"Content-Length is required"}]}`;
    const rows = [
      row('push.chunked-body', 'fail', { detail: `a manifest PUT with a chunked body: ${chunked}` }),
      // ocicat's own check of the data set sends Content-Length, and passes
      row('manifest.shape.nested-index', 'pass'),
      row('oci.data.nested-index', 'fail'),
      row('oci.api.manifest-put-by-digest', 'fail'),
    ];
    const cases: FailedCase[] = [
      {
        name: 'nested-index/push/manifest-by-digest',
        status: 'fail',
        exchange: refused('manifests/sha256:1'),
      },
      // the rest of the data set: what was never stored is not there
      {
        name: 'nested-index/pull/manifest-by-digest',
        status: 'fail',
        exchange: 'GET http://h/v2/x/manifests/sha256:1 -> 404',
      },
    ];
    const a = run(rows, cases);
    expect(a.defects.map((d) => d.id)).toEqual(['push.chunked-body']);
    expect(a.defects[0]!.cases).toEqual(cases.map((c) => c.name));
    expect(a.defects[0]!.rows).toEqual(
      expect.arrayContaining([
        'push.chunked-body',
        'oci.data.nested-index',
        'oci.api.manifest-put-by-digest',
      ]),
    );
    expect(a.disagreements).toEqual([]);
    // another code, or the same answer to a check that is not about framing: no common cause
    const other = run(
      [rows[0]!, ...rows.slice(1)],
      [
        {
          ...cases[0]!,
          exchange: refused('manifests/sha256:1').replace('CONTENT_LENGTH_INVALID', 'MANIFEST_INVALID'),
        },
      ],
    );
    expect(other.defects.map((d) => d.id)).toContain('official:nested-index');
    expect(other.disagreements.map((d) => d.feature)).toEqual(['manifest.shape.nested-index']);
    const notFraming = run(
      [
        row('manifest.artifact-type', 'fail', {
          detail: 'PUT http://h/v2/x/manifests/v1: 400 CONTENT_LENGTH_INVALID: Content-Length is required',
        }),
        ...rows.slice(1),
      ],
      cases,
    );
    expect(notFraming.defects.map((d) => d.id)).toContain('official:nested-index');
    expect(notFraming.disagreements.length).toBeGreaterThan(0);
  });

  it('one failing check is one defect, with the official rows failing only through its cases', () => {
    const a = run(
      [
        row('push.blob.sha512', 'fail', {
          detail: 'accepted, then reported under sha256:abc',
          evidence: [
            'POST http://h/v2/x/blobs/uploads/ -> 202',
            '  < location: /u',
            'PUT http://h/u?digest=sha512:1 -> 201',
            '  < docker-content-digest: sha256:abc',
          ],
        }),
        row('oci.data.blobs-sha512', 'fail'),
        row('oci.api.blob-post-put', 'fail'),
        row('oci.data.image', 'pass'),
      ],
      [
        { name: 'sha512 blobs/post+put/blob-post-put', status: 'fail' },
        { name: 'sha512 blobs/stream/blob-patch-stream', status: 'fail' },
        { name: 'image/push/manifest-by-tag', status: 'pass' },
      ],
    );
    expect(a.defects).toHaveLength(1);
    expect(a.defects[0]).toMatchObject({
      id: 'push.blob.sha512',
      level: 'MUST',
      rows: ['push.blob.sha512', 'oci.api.blob-post-put', 'oci.data.blobs-sha512'],
      cases: ['sha512 blobs/post+put/blob-post-put', 'sha512 blobs/stream/blob-patch-stream'],
      // the smallest evidence: the last request and its answer
      evidence: ['PUT http://h/u?digest=sha512:1 -> 201', '  < docker-content-digest: sha256:abc'],
    });
    expect(a.disagreements).toEqual([]);
    expect(a.rows.find((x) => x.feature === 'oci.data.blobs-sha512')?.defects).toEqual(['push.blob.sha512']);
    expect(a.rows.find((x) => x.feature === 'oci.data.image')?.defects).toBeUndefined();
  });

  it('a failing case whose checks all pass: a defect of the suite group, and a disagreement on that case', () => {
    const a = run(
      [
        row('delete.blob.shared', 'pass'),
        row('oci.api.blob-delete', 'fail'),
        row('oci.data.blobs-sha256', 'fail'),
      ],
      [{ name: 'sha256 blobs/mount/blob-delete', status: 'fail', exchange: 'HEAD http://h/b -> 200' }],
    );
    expect(a.defects.map((d) => [d.id, d.rows])).toEqual([
      ['official:sha256 blobs', ['oci.api.blob-delete', 'oci.data.blobs-sha256']],
    ]);
    expect(a.defects[0]!.evidence).toEqual([
      'evidence/reg/official/report.html: test case sha256 blobs/mount/blob-delete',
      'HEAD http://h/b -> 200',
    ]);
    expect(a.disagreements).toMatchObject([
      {
        case: 'sha256 blobs/mount/blob-delete',
        feature: 'delete.blob.shared',
        officialStatus: 'fail',
        ocicatStatus: 'pass',
      },
    ]);
  });

  it('the same case behind a failing check: explained, not a disagreement', () => {
    const a = run(
      [
        row('delete.blob.shared', 'fail'),
        row('oci.api.blob-delete', 'fail'),
        row('oci.data.blobs-sha256', 'fail'),
      ],
      [
        { name: 'sha256 blobs/mount/blob-delete', status: 'fail' },
        { name: 'sha256 blobs/mount anonymous/blob-delete', status: 'fail' },
      ],
    );
    expect(a.defects.map((d) => d.id)).toEqual(['delete.blob.shared']);
    expect(a.defects[0]!.rows).toEqual([
      'delete.blob.shared',
      'oci.api.blob-delete',
      'oci.data.blobs-sha256',
    ]);
    expect(a.disagreements).toEqual([]);
  });

  it("ocicat's exact counterpart fails where the suite passes that case: a disagreement", () => {
    const a = run(
      [row('delete.blob.shared', 'fail'), row('oci.api.blob-delete', 'pass')],
      [
        { name: 'sha256 blobs/mount/blob-delete', status: 'pass' },
        { name: 'sha256 blobs/mount anonymous/blob-delete', status: 'pass' },
      ],
    );
    expect(a.disagreements).toMatchObject([
      {
        case: 'sha256 blobs/mount/blob-delete',
        feature: 'delete.blob.shared',
        officialStatus: 'pass',
        ocicatStatus: 'fail',
      },
    ]);
  });

  it('a case that needs a capability the registry lacks: named on the row, no defect', () => {
    const a = run(
      [row('tags.pagination', 'unsupported'), row('oci.api.tag-listing', 'fail')],
      [{ name: 'image/tag-list', status: 'fail' }],
    );
    expect(a.defects).toEqual([]);
    expect(a.rows.find((x) => x.feature === 'oci.api.tag-listing')?.lacks).toEqual(['tags.pagination']);
  });

  it('a case name nobody classified is a defect of its own, saying so', () => {
    const a = run([row('oci.api.ping', 'fail')], [{ name: 'ping/new-step', status: 'fail' }]);
    expect(a.defects[0]!.id).toBe('official:ping');
    expect(a.defects[0]!.title).toMatch(/does not classify/);
    // and the FAIL row no case was found for has its own
    expect(a.defects.map((d) => d.id)).toContain('official:ping');
    expect(a.rows[0]!.defects).toEqual(['official:ping']);
  });
});

describe('smallestEvidence', () => {
  it('is the last exchange, or the last lines when there is none', () => {
    expect(smallestEvidence(['GET a -> 200', '  < x', 'GET b -> 500', '  < y', '  > z'])).toEqual([
      'GET b -> 500',
      '  < y',
      '  > z',
    ]);
    expect(smallestEvidence(['one', 'two', 'three'])).toEqual(['two', 'three']);
    expect(smallestEvidence(undefined)).toEqual([]);
  });
});

describe('schema 1', () => {
  it('is read with its defects derived from the failing cells and the failing test cases in its evidence', () => {
    const v1 = {
      schemaVersion: 1,
      run: {
        id: 'old',
        startedAt: 'a',
        finishedAt: 'b',
        durationMs: 1,
        ocicat: '0.1.0',
        node: 'v24',
        platform: 'x',
      },
      registries: [
        { id: R, title: R, name: R, version: '', provider: 'process', auth: 'anonymous', state: 'ran' },
      ],
      features: [{ id: 'push.blob.sha512', title: 'sha512', area: 'push', optional: false }],
      results: [
        row('push.blob.sha512', 'fail'),
        {
          ...row('oci.data.blobs-sha512', 'fail'),
          disagrees: { feature: 'push.blob.sha512', status: 'fail' },
          evidence: ['its verdict: FAIL', 'failing test cases:', 'sha512 blobs/post+put/blob-post-put'],
        },
      ],
    };
    const r = validateResults(v1, 'old.json');
    expect(r.schemaVersion).toBe(SCHEMA_VERSION);
    expect(r.defects.map((d) => [d.id, d.rows])).toEqual([
      ['push.blob.sha512', ['push.blob.sha512', 'oci.data.blobs-sha512']],
    ]);
    expect(r.disagreements).toEqual([]);
    expect(r.results.some((x) => 'disagrees' in x)).toBe(false);
  });
});
