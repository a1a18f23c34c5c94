// The official OCI conformance suite's verdicts as rows of ocicat's matrix
// (issue 13): one feature per API row (`oci.api.*`) and data set (`oci.data.*`) of
// its results.yaml (distribution-spec conformance at the version setup pins, spec
// 1.1 defaults), with the ocicat feature that checks the same point, where one does.
import type { Feature } from '../feature.ts';

/** results.yaml "apis" keys. */
export const OFFICIAL_APIS = [
  'Blob anonymous mount',
  'Blob chunked',
  'Blob delete',
  'Blob delete atomic',
  'Blob get',
  'Blob get range',
  'Blob head',
  'Blob mount',
  'Blob post only',
  'Blob post put',
  'Blob push',
  'Blob streaming',
  'Blob upload cancel',
  'Manifest delete',
  'Manifest delete atomic',
  'Manifest get by digest',
  'Manifest get by tag',
  'Manifest head by digest',
  'Manifest head by tag',
  'Manifest put by digest',
  'Manifest put by tag',
  'Manifest put with subject',
  'Manifest put with tag params',
  'Ping',
  'Referrers',
  'Tag delete',
  'Tag delete atomic',
  'Tag listing',
] as const;

/** results.yaml "data" keys. */
export const OFFICIAL_DATA = [
  'Artifact',
  'Artifact Index',
  'Artifact without Layers',
  'Artifacts with Subject',
  'Bad Digest Image',
  'Blobs sha256',
  'Blobs sha512',
  'Custom Fields',
  'Data Field',
  'Digest Algorithm sha512',
  'Empty Index',
  'Image',
  'Image Uncompressed',
  'Image with Large Manifest',
  'Index',
  'Index with Subject',
  'Invalid Manifest Digest',
  'Missing Subject',
  'Nested Index',
  'No Layers',
  'Non-distributable Layers',
  'Sparse Manifests',
  'Tag Param',
  'Tag Param sha512',
] as const;

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export const officialId = (kind: 'api' | 'data', name: string) => `oci.${kind}.${slug(name)}`;

/** Off unless asked for, in the suite itself: a skip, never a verdict on the registry. */
export const OFF_BY_DEFAULT = new Set([
  officialId('api', 'Blob upload cancel'),
  officialId('api', 'Manifest put with tag params'),
  officialId('data', 'Sparse Manifests'),
  officialId('data', 'Tag Param'),
  officialId('data', 'Tag Param sha512'),
]);

/**
 * An optional capability the registry says it lacks (ocicat measured the feature
 * `unsupported`): the suite runs with the switch off, and the rows it disables are
 * `unsupported` with the switch recorded, never `fail`.
 */
export const SWITCHES: Array<{ feature: string; env: string; rows: string[] }> = [
  {
    feature: 'referrers.api',
    env: 'OCI_API_REFERRER',
    rows: [officialId('api', 'Referrers'), officialId('api', 'Manifest put with subject')],
  },
  {
    feature: 'delete.manifest',
    env: 'OCI_API_MANIFESTS_DELETE',
    rows: [officialId('api', 'Manifest delete'), officialId('api', 'Manifest delete atomic')],
  },
  {
    feature: 'delete.tag',
    env: 'OCI_API_TAGS_DELETE',
    rows: [officialId('api', 'Tag delete'), officialId('api', 'Tag delete atomic')],
  },
];

/** Which ocicat feature checks the same point (the README's table; "" for none yet). */
export const COVERED_BY: Record<string, string> = {
  [officialId('api', 'Blob anonymous mount')]: '',
  [officialId('api', 'Blob chunked')]: 'push.blob.chunked',
  [officialId('api', 'Blob delete')]: 'delete.blob',
  [officialId('api', 'Blob delete atomic')]: 'delete.blob',
  [officialId('api', 'Blob get')]: 'pull.verify-digest',
  [officialId('api', 'Blob get range')]: 'pull.blob.range-unsatisfiable',
  [officialId('api', 'Blob head')]: '',
  [officialId('api', 'Blob mount')]: 'push.mount',
  [officialId('api', 'Blob post only')]: '',
  [officialId('api', 'Blob post put')]: 'push.blob.monolithic',
  [officialId('api', 'Blob push')]: 'push.blob.monolithic',
  [officialId('api', 'Blob streaming')]: '',
  [officialId('api', 'Blob upload cancel')]: '',
  [officialId('api', 'Manifest delete')]: 'delete.manifest',
  [officialId('api', 'Manifest delete atomic')]: 'delete.manifest',
  [officialId('api', 'Manifest get by digest')]: 'catalog.pull',
  [officialId('api', 'Manifest get by tag')]: 'catalog.pull',
  [officialId('api', 'Manifest head by digest')]: '',
  [officialId('api', 'Manifest head by tag')]: '',
  [officialId('api', 'Manifest put by digest')]: '',
  [officialId('api', 'Manifest put by tag')]: 'catalog.push',
  [officialId('api', 'Manifest put with subject')]: 'referrers.api',
  [officialId('api', 'Manifest put with tag params')]: '',
  [officialId('api', 'Ping')]: '',
  [officialId('api', 'Referrers')]: 'referrers.api',
  [officialId('api', 'Tag delete')]: 'delete.tag',
  [officialId('api', 'Tag delete atomic')]: 'delete.tag',
  [officialId('api', 'Tag listing')]: 'tags.pagination',
  [officialId('data', 'Artifact')]: 'manifest.shape.artifact-empty-config',
  [officialId('data', 'Artifact Index')]: 'manifest.shape.artifact-index',
  [officialId('data', 'Artifact without Layers')]: '',
  [officialId('data', 'Artifacts with Subject')]: 'referrers.api',
  [officialId('data', 'Bad Digest Image')]: 'push.blob.digest-mismatch',
  [officialId('data', 'Blobs sha256')]: 'push.blob.monolithic',
  [officialId('data', 'Blobs sha512')]: 'push.blob.sha512',
  [officialId('data', 'Custom Fields')]: 'manifest.shape.custom-fields',
  [officialId('data', 'Data Field')]: 'manifest.shape.data-field',
  [officialId('data', 'Digest Algorithm sha512')]: 'push.blob.sha512',
  [officialId('data', 'Empty Index')]: 'manifest.shape.empty-index',
  [officialId('data', 'Image')]: '',
  [officialId('data', 'Image Uncompressed')]: '',
  [officialId('data', 'Image with Large Manifest')]: 'manifest.shape.large-4mib',
  [officialId('data', 'Index')]: 'artifact.multi-layer-index',
  [officialId('data', 'Index with Subject')]: 'manifest.shape.index-subject',
  [officialId('data', 'Invalid Manifest Digest')]: 'manifest.bad-digest-reference',
  [officialId('data', 'Missing Subject')]: 'manifest.shape.missing-subject',
  [officialId('data', 'Nested Index')]: 'manifest.shape.nested-index',
  [officialId('data', 'No Layers')]: 'manifest.shape.no-layers',
  [officialId('data', 'Non-distributable Layers')]: 'manifest.non-distributable',
  [officialId('data', 'Sparse Manifests')]: '',
  [officialId('data', 'Tag Param')]: '',
  [officialId('data', 'Tag Param sha512')]: '',
};

/**
 * Failing test cases of the official suite that a narrower ocicat check measures on
 * its own: when an official row fails only through such cases, and that ocicat check
 * fails too, the disagreement with a broader ocicat row is explained, not hidden.
 */
export const EXPLAINED_BY: Array<{ cases: RegExp; feature: string; statuses?: string[] }> = [
  { cases: /sha512/, feature: 'push.blob.sha512' },
  // distribution 2.8 ignores n and last: the suite fails its tag-list steps, ocicat
  // measures pagination as a capability the registry lacks
  { cases: /tag-list/, feature: 'tags.pagination', statuses: ['fail', 'unsupported'] },
  { cases: /out-of-order/, feature: 'push.blob.out-of-order' },
  { cases: /range/, feature: 'pull.blob.range-unsatisfiable' },
  { cases: /non-?distributable/i, feature: 'manifest.non-distributable' },
];

export type OfficialFeature = Pick<Feature, 'id' | 'title' | 'area' | 'optional'>;

export const OFFICIAL_FEATURES: OfficialFeature[] = [
  ...OFFICIAL_APIS.map((n) => ({
    id: officialId('api', n),
    title: `Official OCI suite, API: ${n}`,
    area: 'official' as const,
    optional: false,
  })),
  ...OFFICIAL_DATA.map((n) => ({
    id: officialId('data', n),
    title: `Official OCI suite, data set: ${n}`,
    area: 'official' as const,
    optional: false,
  })),
];
