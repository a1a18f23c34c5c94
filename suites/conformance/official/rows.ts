// The official OCI conformance suite's verdicts as rows of ocicat's matrix
// (issue 13): one feature per API row (`oci.api.*`) and data set (`oci.data.*`) of
// its results.yaml (distribution-spec conformance at the version setup pins, spec
// 1.1 defaults). Which ocicat checks measure the same operation and case is said
// per test case, in cases.ts.
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

/**
 * The rows the OCI conformance program's results page marks as required
 * (REGISTRY-FACTS "The OCI conformance program"); all else is optional.
 */
export const REQUIRED_APIS = [
  'Blob get',
  'Blob head',
  'Manifest get by digest',
  'Manifest get by tag',
  'Manifest head by digest',
  'Manifest head by tag',
] as const;
export const REQUIRED_DATA = ['Blobs sha256', 'Image', 'Index'] as const;
export const REQUIRED_ROWS = new Set<string>([
  ...REQUIRED_APIS.map((n) => officialId('api', n)),
  ...REQUIRED_DATA.map((n) => officialId('data', n)),
]);

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
