// What a failing ocicat check means to a registry vendor (issue 22): the defect's
// title in words they act on, the spec clause and its level, and the clients the
// facts say it breaks. distribution-spec section names are those of v1.1.1
// (spec.md); "main" is the unreleased text after it (REGISTRY-FACTS "The
// distribution-spec after 1.1.1"). A check not listed here is described by its
// own title, at the level its optional flag gives.

export type Level = 'MUST' | 'SHOULD' | 'MAY' | 'workflow';

export interface DefectInfo {
  title: string;
  level: Level;
  /** The clause: spec, version, section. */
  spec: string;
  /** Clients it is known to break (REGISTRY-FACTS, the kubara and Zarf vectors). */
  clients?: string[];
  /**
   * A refusal of how a request is framed, not of what it asks: it explains any failing
   * official case the registry answered with the same status and OCI error code,
   * whichever operation the case was in (reports/defects.ts).
   */
  anyCase?: true;
}

const S = (section: string, version = '1.1') => `distribution-spec ${version}, ${section}`;

export const DEFECT_INFO: Record<string, DefectInfo> = {
  'push.blob.sha512': {
    title: 'sha512 digests: the upload is accepted, then the blob is reported under a sha256 digest',
    level: 'MUST',
    spec: S('Pushing blobs: the digest a blob is pushed under is the digest it is stored and reported under'),
  },
  'push.blob.out-of-order': {
    title: 'An out-of-order chunk is not answered 416 Range Not Satisfiable',
    level: 'MUST',
    spec: S('Pushing a blob in chunks (the closing PUT: main)'),
  },
  'push.chunked-body': {
    title: 'A request body sent with Transfer-Encoding: chunked (no Content-Length) is refused',
    level: 'MUST',
    spec: 'RFC 9112 (HTTP/1.1) 7.1: a recipient MUST be able to parse the chunked transfer coding',
    clients: ['the official OCI conformance suite (its manifest PUTs and streamed PATCHes are chunked)'],
    anyCase: true,
  },
  'manifest.bad-digest-reference': {
    title: 'A malformed digest reference gets a 500 (with a storage path), not 400 or 404',
    level: 'MUST',
    spec: S('Pulling manifests / Pushing manifests: an invalid reference is a client error'),
  },
  'manifest.non-distributable': {
    title: 'A manifest with non-distributable layers is answered 500',
    level: 'MUST',
    spec: 'image-spec 1.1, Image Manifest: registries accept the non-distributable layer media types',
  },
  'push.blob.digest-mismatch': {
    title: 'An upload whose bytes do not match its digest is not refused with 400 DIGEST_INVALID',
    level: 'MUST',
    spec: S('Pushing blobs: the registry verifies the digest'),
  },
  'pull.blob.range-unsatisfiable': {
    title: 'An unsatisfiable Range is answered with a malformed 416',
    level: 'MUST',
    spec: 'RFC 9110 15.5.17 and 8.6 (Content-Length matches the body)',
  },
  'pull.blob.range-resume': {
    title: 'A blob GET with Range is not answered 206 with the range',
    level: 'MAY',
    spec: S('Pulling blobs: Range requests'),
  },
  'delete.blob': {
    title: 'A blob DELETE answered 202 leaves the blob readable',
    level: 'MUST',
    spec: S('Deleting blobs'),
  },
  'delete.blob.shared': {
    title: 'A deleted blob stays readable while other repositories hold the same bytes',
    level: 'MUST',
    spec: S('Deleting blobs (per repository)'),
  },
  'delete.blob.empty-config': {
    title: 'DELETE of the empty JSON blob {} answers 202 and the blob stays',
    level: 'MUST',
    spec: S('Deleting blobs'),
    clients: ['ocicat and kubara catalogs (every catalog config is {}: DESIGN "Catalog format")'],
  },
  'push.repository-isolation': {
    title: 'A blob is readable through a repository that never received it',
    level: 'MUST',
    spec: S('Pulling blobs (blobs are addressed per repository <name>)'),
  },
  'push.blob.monolithic': {
    title: 'A monolithic blob upload (POST then PUT) does not store the blob',
    level: 'MUST',
    spec: S('Pushing blobs: POST then PUT'),
  },
  'push.blob.chunked': {
    title: 'A chunked blob upload (PATCH with Content-Range) does not store the blob',
    level: 'MUST',
    spec: S('Pushing a blob in chunks'),
  },
  'push.blob.chunk-min-length': {
    title: 'Chunks of the size OCI-Chunk-Min-Length announces are refused',
    level: 'SHOULD',
    spec: S('Pushing a blob in chunks: OCI-Chunk-Min-Length'),
  },
  'push.mount': {
    title: 'A cross-repository mount is answered wrongly',
    level: 'MAY',
    spec: S('Mounting a blob from another repository'),
  },
  'pull.verify-digest': {
    title: 'A blob GET lacks Docker-Content-Digest or its bytes do not match',
    level: 'MUST',
    spec: S('Pulling blobs (Docker-Content-Digest on GET and HEAD: main)', 'main'),
  },
  'manifest.artifact-type': {
    title: 'An image manifest with artifactType and the empty config is refused or altered',
    level: 'MUST',
    spec: 'image-spec 1.1, Guidelines for Artifact Usage',
    clients: ['kubara, oras (catalogs and artifacts are pushed this way)'],
  },
  'manifest.fallback': {
    title: 'The fallback artifact form (own config media type) is refused',
    level: 'MUST',
    spec: 'image-spec 1.1, Guidelines for Artifact Usage (artifacts without artifactType)',
    clients: ['Zarf (config application/vnd.zarf.config.v1+json, no fallback: zarf-vectors README)'],
  },
  'referrers.api': {
    title: 'The referrers API does not list a manifest pushed with a subject',
    level: 'MUST',
    spec: S('Listing Referrers (when the API is offered)'),
  },
  'referrers.tag-schema': {
    title: 'The referrers tag schema (<alg>-<hex> index tag) does not work',
    level: 'MUST',
    spec: S('Unavailable Referrers API (the tag schema)'),
  },
  'tags.pagination': {
    title: 'The tag list ignores n, or gives no Link to the next page',
    level: 'SHOULD',
    spec: S('Listing Tags'),
  },
  'delete.manifest': {
    title: 'A manifest DELETE by digest leaves the manifest readable',
    level: 'MUST',
    spec: S('Deleting Manifests'),
  },
  'delete.tag': {
    title: 'A tag DELETE removes more than the tag, or leaves it',
    level: 'MUST',
    spec: S('Deleting Tags'),
  },
  'errors.oci-body': {
    title: 'Errors come without the OCI error body',
    level: 'SHOULD',
    spec: S('Error Codes'),
  },
  'tags.n-zero': {
    title: 'GET tags/list?n=0 does not answer an empty list without Link',
    level: 'MUST',
    spec: S('Listing Tags (n=0)'),
  },
  'next.digest-header': {
    title: 'GET or HEAD of a manifest or blob without Docker-Content-Digest (or HEAD without Content-Length)',
    level: 'MUST',
    spec: S('Pulling manifests and blobs', 'main'),
  },
  'next.upload-cancel': {
    title: 'DELETE of an upload session is not answered 204, or the session stays',
    level: 'SHOULD',
    spec: S('Canceling an upload', 'main'),
  },
  'next.digest-algorithm': {
    title: 'POST ?digest-algorithm= is ignored: an unknown algorithm is not refused with 400',
    level: 'SHOULD',
    spec: S('Pushing blobs: digest-algorithm', 'main'),
  },
  'next.tag-params': {
    title: 'Tags applied by ?tag= without one OCI-Tag header per tag',
    level: 'MUST',
    spec: S('Pushing manifests with tags (?tag=, OCI-Tag)', 'main'),
  },
  'errors.warning-headers': {
    title: 'Warning headers are malformed',
    level: 'SHOULD',
    spec: S('Warnings'),
  },
};

export const infoFor = (
  feature: string,
  title: string | undefined,
  optional: boolean | undefined,
): DefectInfo => {
  const known = DEFECT_INFO[feature];
  if (known) return known;
  if (feature.startsWith('manifest.shape.'))
    return {
      title: `Manifest shape refused or altered: ${title ?? feature}`,
      level: 'MUST',
      spec: 'image-spec 1.1, Image Manifest / Image Index',
    };
  const area = feature.split('.')[0];
  if (area === 'catalog' || area === 'artifact' || area === 'interop' || area === 'faults')
    return {
      title: title ?? feature,
      level: 'workflow',
      spec: "a client workflow over the spec (ocicat's catalog model, peers' clients)",
    };
  return { title: title ?? feature, level: optional ? 'MAY' : 'MUST', spec: 'distribution-spec 1.1' };
};
