// Manifests, distribution-spec 1.1 "Pulling manifests" / "Pushing manifests".
import { OcicatError } from '../errors.ts';
import { type Algorithm, digestOf, isDigest, parseDigest } from '../oci/digest.ts';
import { MAX_PULL_MANIFEST_BYTES, MAX_PUSH_MANIFEST_BYTES } from '../oci/limits.ts';
import { type Descriptor, type ParsedManifest, parseManifest } from '../oci/manifest.ts';
import { MANIFEST_ACCEPT } from '../oci/media-types.ts';
import { pullScope, pushScope } from './auth/scope.ts';
import { bufferBody } from './client.ts';
import { drain, header, readBody } from './http.ts';
import { manifestPath } from './paths.ts';
import type { RepoRef } from './repo-ref.ts';

export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  parsed: ParsedManifest;
}

/** The algorithm of a digest we were given, sha256 when there is none. */
function algorithmOf(d: string | undefined): Algorithm {
  return d && isDigest(d) ? parseDigest(d).algorithm : 'sha256';
}

/**
 * GET a manifest by tag or digest with the full Accept list, read at most 8 MiB,
 * and verify it: against the digest asked for, or else against the
 * Docker-Content-Digest the registry sent.
 */
export async function getManifest(repo: RepoRef, reference: string): Promise<FetchedManifest> {
  const res = await repo.client.expect(
    {
      registry: repo.registry,
      method: 'GET',
      path: manifestPath(repo.repository, reference),
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [pullScope(repo.repository)],
    },
    [200],
  );
  let bytes: Buffer;
  try {
    bytes = await readBody(res, MAX_PULL_MANIFEST_BYTES);
  } catch (e) {
    throw new OcicatError(
      'MANIFEST_TOO_LARGE',
      `manifest ${reference} is larger than ${MAX_PULL_MANIFEST_BYTES} bytes`,
      { cause: e },
    );
  }
  const claimed = isDigest(reference) ? reference : header(res, 'docker-content-digest');
  const digest = digestOf(bytes, algorithmOf(claimed));
  if (claimed && isDigest(claimed) && digest !== claimed) {
    throw new OcicatError(
      'DIGEST_MISMATCH',
      `manifest ${reference}: content digest ${digest} does not match ${claimed}`,
    );
  }
  const parsed = parseManifest(bytes, header(res, 'content-type'));
  const descriptor: Descriptor = { mediaType: parsed.mediaType, digest, size: bytes.length };
  if (parsed.manifest.artifactType) descriptor.artifactType = parsed.manifest.artifactType;
  return { descriptor, bytes, parsed };
}

/** HEAD a manifest; undefined when absent. Falls back to GET when HEAD lacks the digest. */
export async function headManifest(repo: RepoRef, reference: string): Promise<Descriptor | undefined> {
  const res = await repo.client.send({
    registry: repo.registry,
    method: 'HEAD',
    path: manifestPath(repo.repository, reference),
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [pullScope(repo.repository)],
  });
  res.body.resume();
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw await repo.client.errorFrom(res);
  const digest = header(res, 'docker-content-digest');
  const size = Number(header(res, 'content-length'));
  const mediaType = header(res, 'content-type')?.split(';')[0]?.trim();
  if (digest && isDigest(digest) && Number.isFinite(size) && mediaType) return { mediaType, digest, size };
  return (await getManifest(repo, reference)).descriptor;
}

export interface PutResult {
  digest: string;
  /** OCI-Subject from the answer: the registry indexed the subject for the referrers API. */
  subject?: string;
}

export async function putManifest(
  repo: RepoRef,
  reference: string,
  bytes: Buffer,
  mediaType: string,
): Promise<PutResult> {
  if (bytes.length > MAX_PUSH_MANIFEST_BYTES) {
    throw new OcicatError(
      'MANIFEST_TOO_LARGE',
      `manifest of ${bytes.length} bytes exceeds the ${MAX_PUSH_MANIFEST_BYTES} bytes registries must accept`,
    );
  }
  const digest = digestOf(bytes, algorithmOf(reference));
  if (isDigest(reference) && reference !== digest) {
    throw new OcicatError('DIGEST_MISMATCH', `manifest bytes have digest ${digest}, not ${reference}`);
  }
  const res = await repo.client.expect(
    {
      registry: repo.registry,
      method: 'PUT',
      path: manifestPath(repo.repository, reference),
      headers: { 'content-type': mediaType },
      body: bufferBody(bytes),
      scopes: [pushScope(repo.repository)],
    },
    [201, 200],
  );
  await drain(res);
  const stored = header(res, 'docker-content-digest');
  if (
    stored &&
    isDigest(stored) &&
    stored !== digest &&
    parseDigest(stored).algorithm === parseDigest(digest).algorithm
  ) {
    throw new OcicatError('DIGEST_MISMATCH', `registry stored manifest as ${stored}, we sent ${digest}`);
  }
  const subject = header(res, 'oci-subject');
  return { digest, ...(subject ? { subject } : {}) };
}
