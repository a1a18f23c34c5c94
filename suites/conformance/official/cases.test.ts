// The classification of the official suite's test cases (cases.ts): what a case
// fails and which ocicat checks measure the same operation on the same case. The
// live test (suites/conformance/defects.test.ts) runs the suite and classifies
// every name it writes; this one pins the cases the report's verdicts turn on.
import { describe, expect, it } from 'vitest';
import { classifyCase, junitCases, lastExchange } from './cases.ts';

describe('classifyCase', () => {
  it.each([
    // a delete after a mount: the blob is in both repositories (Zot's dedupe)
    [
      'sha256 blobs/mount/blob-delete',
      ['oci.api.blob-delete', 'oci.api.blob-delete-atomic', 'oci.data.blobs-sha256'],
      ['delete.blob.shared'],
      true,
    ],
    // a plain delete: the blob only this repository holds
    [
      'sha256 blobs/post+put/blob-delete',
      ['oci.api.blob-delete', 'oci.api.blob-delete-atomic', 'oci.data.blobs-sha256'],
      ['delete.blob'],
      true,
    ],
    // the empty JSON blob: Harbor keeps it, and so does a registry sharing it
    [
      'sha256 blobs/emptyJSON/blob-delete',
      ['oci.api.blob-delete', 'oci.api.blob-delete-atomic', 'oci.data.blobs-sha256'],
      ['delete.blob.empty-config', 'delete.blob.shared'],
      false,
    ],
    // a data set's delete step: any of the three blob cases
    [
      'artifact/delete/blob-delete',
      ['oci.api.blob-delete', 'oci.api.blob-delete-atomic', 'oci.data.artifact'],
      [
        'delete.blob',
        'delete.blob.shared',
        'delete.blob.empty-config',
        'manifest.shape.artifact-empty-config',
      ],
      false,
    ],
    [
      'sha256 blobs/chunked out-of-order and put chunk/blob-patch-chunked',
      ['oci.api.blob-chunked', 'oci.data.blobs-sha256'],
      ['push.blob.out-of-order'],
      true,
    ],
    [
      'sha512 blobs/post+put/blob-post-put',
      ['oci.api.blob-post-put', 'oci.data.blobs-sha512'],
      ['push.blob.sha512'],
      true,
    ],
    [
      'sha512 blobs/range requests/blob-post-put',
      ['oci.api.blob-post-put', 'oci.api.blob-get-range', 'oci.data.blobs-sha512'],
      ['push.blob.sha512'],
      false,
    ],
    [
      'sha256 blobs/range requests/range 5000-10000',
      ['oci.api.blob-get-range', 'oci.data.blobs-sha256'],
      ['pull.blob.range-unsatisfiable'],
      false,
    ],
    // a data set's step fails with its shape: the tag list of a refused manifest
    [
      'non-distributable-layers/tag-list',
      ['oci.api.tag-listing', 'oci.data.non-distributable-layers'],
      ['tags.pagination', 'manifest.non-distributable'],
      false,
    ],
    [
      'artifacts-with-subject/push/manifest-by-digest',
      [
        'oci.api.manifest-put-by-digest',
        'oci.api.manifest-put-with-subject',
        'oci.data.artifacts-with-subject',
      ],
      ['referrers.api'],
      false,
    ],
    ['image/push/manifest-by-tag', ['oci.api.manifest-put-by-tag', 'oci.data.image'], [], false],
    [
      'invalid-digest-format/manifest-put',
      ['oci.api.manifest-put-by-digest', 'oci.data.invalid-manifest-digest'],
      ['manifest.bad-digest-reference'],
      true,
    ],
    ['OCI Conformance Test/ping', ['oci.api.ping'], [], false],
    ['missing-manifest/by-tag', ['oci.api.manifest-get-by-tag'], ['errors.oci-body'], false],
  ])('%s', (name, rows, checks, exact) => {
    expect(classifyCase(name)).toMatchObject({ rows, checks, exact });
  });

  it.each([
    'sha256 blobs/post+put/blob-frobnicate',
    'brand-new-data-set/push/manifest-by-tag',
    'image/push/manifest-by-tag/extra',
    'image/upload/manifest-by-tag',
    'pong',
    '',
  ])('does not know %j: undefined, never a guess', (name) => {
    expect(classifyCase(name)).toBeUndefined();
  });
});

describe('junitCases', () => {
  const junit = `<testsuites><testsuite>
<testcase name="OCI Conformance Test/ping" classname="x" status="passed" time="0"></testcase>
<testcase name="OCI Conformance Test/sha256 blobs/emptyJSON/blob-delete" classname="x" status="failure" time="0">
  <failure message="x"></failure>
  <system-err>~~~ REQUEST ~~~&#xA;Method: DELETE&#xA;URL: http://h/v2/r/blobs/sha256:44&#xA;~~~ RESPONSE ~~~&#xA;Status: 202&#xA;Headers:&#xA;~~~ REQUEST ~~~&#xA;Method: HEAD&#xA;URL: http://h/v2/r/blobs/sha256:44&#xA;--------&#xA;~~~ RESPONSE ~~~&#xA;Status: 200&#xA;Headers:&#xA;  Content-Length: [2]&#xA;==========</system-err>
</testcase>
<testcase name="OCI Conformance Test/empty/referrers" classname="x" status="skipped" time="0"/>
</testsuite></testsuites>`;

  it('reads every case with its verdict, and a failing one with the last request and its answer', () => {
    const cases = junitCases(junit);
    expect(cases.map((c) => [c.name, c.status])).toEqual([
      ['ping', 'pass'],
      ['sha256 blobs/emptyJSON/blob-delete', 'fail'],
      ['empty/referrers', 'skip'],
    ]);
    expect(cases[1]!.exchange).toBe('HEAD http://h/v2/r/blobs/sha256:44 -> 200\n  Content-Length: [2]');
    expect(cases[0]!.exchange).toBeUndefined();
  });

  it('an output without a request gives no exchange', () => {
    expect(lastExchange('tag "image" returned when last set to "image"')).toBeUndefined();
  });
});
