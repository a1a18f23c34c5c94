// Referrers, distribution-spec 1.1 "Listing Referrers" and "Referrers Tag Schema".
// A registry with the API answers 200 with an image index; it "MUST NOT return a
// 404" then, so a 404 means no API (distribution 2.8 and 3.1.1, GHCR, Docker Hub:
// REGISTRY-FACTS). Without it, clients keep an index under the tag
// <alg>-<hex> (truncated to 128 characters) and update it on each push.
import { OcicatError } from '../errors.ts';
import { parseDigest } from '../oci/digest.ts';
import { type Descriptor, encodeManifest, type ImageIndex, parseManifest } from '../oci/manifest.ts';
import { OCI_INDEX } from '../oci/media-types.ts';
import { pullScope } from './auth/scope.ts';
import { header, readBody } from './http.ts';
import { getManifest, putManifest } from './manifests.ts';
import { referrersPath } from './paths.ts';
import { isRegistryError } from './registry-error.ts';
import type { RepoRef } from './repo-ref.ts';

export function referrersTag(subjectDigest: string): string {
  const d = parseDigest(subjectDigest);
  return `${d.algorithm}-${d.encoded}`.slice(0, 128);
}

export interface ReferrersResult {
  referrers: Descriptor[];
  via: 'api' | 'tag-schema';
}

function filter(list: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType ? list.filter((d) => d.artifactType === artifactType) : list;
}

/** Ask the referrers API; undefined when the registry has none. */
async function viaApi(
  repo: RepoRef,
  subject: string,
  artifactType?: string,
): Promise<Descriptor[] | undefined> {
  const q = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  const res = await repo.client.send({
    registry: repo.registry,
    method: 'GET',
    path: referrersPath(repo.repository, subject) + q,
    headers: { accept: OCI_INDEX },
    scopes: [pullScope(repo.repository)],
  });
  const caps = repo.client.capabilities(repo.registry);
  if (res.status === 404) {
    res.body.resume();
    caps.referrersApi = false;
    return undefined;
  }
  if (res.status !== 200) throw await repo.client.errorFrom(res);
  caps.referrersApi = true;
  const parsed = parseManifest(await readBody(res, 8 * 1024 * 1024), OCI_INDEX);
  if (parsed.kind !== 'index')
    throw new OcicatError('PROTOCOL', 'referrers API answered with something other than an index');
  const applied = (header(res, 'oci-filters-applied') ?? '').split(',').map((s) => s.trim());
  return applied.includes('artifactType')
    ? parsed.manifest.manifests
    : filter(parsed.manifest.manifests, artifactType);
}

async function tagIndex(repo: RepoRef, subject: string): Promise<ImageIndex | undefined> {
  try {
    const m = await getManifest(repo, referrersTag(subject));
    return m.parsed.kind === 'index' ? m.parsed.manifest : undefined;
  } catch (e) {
    if (isRegistryError(e, 404)) return undefined;
    throw e;
  }
}

export async function listReferrers(
  repo: RepoRef,
  subject: string,
  artifactType?: string,
): Promise<ReferrersResult> {
  const caps = repo.client.capabilities(repo.registry);
  if (caps.referrersApi !== false) {
    const list = await viaApi(repo, subject, artifactType);
    if (list) return { referrers: list, via: 'api' };
  }
  const index = await tagIndex(repo, subject);
  return { referrers: filter(index?.manifests ?? [], artifactType), via: 'tag-schema' };
}

/**
 * After pushing a manifest with a subject to a registry that did not answer
 * with OCI-Subject, add it to the <alg>-<hex> index (spec: "Pushing Manifests
 * with Subject", client steps).
 */
export async function addToReferrersTag(repo: RepoRef, subject: string, referrer: Descriptor): Promise<void> {
  const index: ImageIndex = (await tagIndex(repo, subject)) ?? {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [],
  };
  if (index.manifests.some((d) => d.digest === referrer.digest)) return;
  index.manifests = [...index.manifests, referrer];
  await putManifest(repo, referrersTag(subject), encodeManifest(index), OCI_INDEX);
}
