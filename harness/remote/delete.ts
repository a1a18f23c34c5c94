// Deletes, distribution-spec 1.1 "Content Management". Registries may refuse:
// distribution answers 405 with delete disabled, 2.8 answers 400 to delete by
// tag, GHCR 405 UNSUPPORTED (REGISTRY-FACTS). The refusal is recorded as a
// capability and still thrown, so callers and reports can tell.
import { deleteScope, pushScope } from './auth/scope.ts';
import type { Capabilities } from './capabilities.ts';
import { drain } from './http.ts';
import { blobPath, manifestPath } from './paths.ts';
import type { RepoRef } from './repo-ref.ts';

async function del(repo: RepoRef, path: string, cap: keyof Capabilities): Promise<void> {
  const caps = repo.client.capabilities(repo.registry) as Record<string, unknown>;
  const res = await repo.client.send({
    registry: repo.registry,
    method: 'DELETE',
    path,
    scopes: [pushScope(repo.repository), deleteScope(repo.repository)],
  });
  if (res.status === 202 || res.status === 200 || res.status === 204) {
    await drain(res);
    caps[cap] = true;
    return;
  }
  if (res.status === 405 || res.status === 400) caps[cap] = false;
  throw await repo.client.errorFrom(res);
}

export function deleteManifest(repo: RepoRef, digest: string): Promise<void> {
  return del(repo, manifestPath(repo.repository, digest), 'deleteManifest');
}

export function deleteTag(repo: RepoRef, tag: string): Promise<void> {
  return del(repo, manifestPath(repo.repository, tag), 'deleteTag');
}

export function deleteBlob(repo: RepoRef, digest: string): Promise<void> {
  return del(repo, blobPath(repo.repository, digest), 'deleteBlob');
}
