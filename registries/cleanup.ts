// Leaving nothing behind on a registry the run did not start (issue 14): every
// manifest and blob the run's journal says a registry accepted is deleted, also
// after a failure or Ctrl-C: manifests by digest, newest first (an index before its
// manifests, a referrer before its subject), then blobs; for what a peer tool
// pushed (a repository, no digests), its tags are resolved and their manifests and
// blobs deleted. Harbor keeps a repository emptied of its last manifest until its
// own API deletes it (REGISTRY-FACTS "Harbor 2.15.2"). What a registry refuses to
// delete (GHCR, Docker Hub: 405 UNSUPPORTED) is listed with its exact reference.
// Then it checks: everything the journal names answers 404.

import type { Credential } from '../harness/remote/auth/credential.ts';
import type { RegistryClient } from '../harness/remote/client.ts';
import { drain } from '../harness/remote/http.ts';
import { isRegistryError } from '../harness/remote/registry-error.ts';
import { RemoteRepository } from '../harness/remote/repository.ts';
import type { WriteRecord } from '../harness/remote/write-log.ts';
import { harborApi } from './harbor-api.ts';

export interface CleanupOutcome {
  /** References deleted (repo@digest), and repositories removed through Harbor's API. */
  deleted: string[];
  /** What the registry refused to delete: "repo@digest: status CODE". */
  refused: string[];
  /** What still answers after the clean-up although it was not refused (a registry that says 202 and keeps it). */
  left: string[];
}

export interface CleanupOptions {
  registry: string;
  plainHttp: boolean;
  kind?: string;
  credential?: Credential;
  caFile?: string;
  insecure?: boolean;
}

const why = (e: unknown) =>
  isRegistryError(e) ? `${e.status} ${e.errors[0]?.code ?? ''}`.trim() : (e as Error).message.split('\n')[0]!;
const gone = (e: unknown) => isRegistryError(e) && e.status === 404;

export async function cleanupWrites(
  client: RegistryClient,
  records: WriteRecord[],
  options: CleanupOptions,
): Promise<CleanupOutcome> {
  const out: CleanupOutcome = { deleted: [], refused: [], left: [] };
  const repos = new Map<string, { manifests: string[]; blobs: string[]; unnamed: boolean }>();
  for (const r of records) {
    if (r.registry !== options.registry) continue;
    const e = repos.get(r.repository) ?? { manifests: [], blobs: [], unnamed: false };
    repos.set(r.repository, e);
    if (r.kind === 'manifest' && r.digest && !e.manifests.includes(r.digest)) e.manifests.push(r.digest);
    else if (r.kind === 'blob' && r.digest && !e.blobs.includes(r.digest)) e.blobs.push(r.digest);
    else if (r.kind === 'repository') e.unnamed = true;
  }
  for (const [repository, e] of repos) {
    const repo = new RemoteRepository(client, { registry: options.registry, repository });
    if (e.unnamed) await resolveUnnamed(repo, e);
    for (const d of [...e.manifests].reverse()) {
      try {
        await repo.deleteManifest(d);
        out.deleted.push(`${repository}@${d}`);
      } catch (err) {
        if (!gone(err)) out.refused.push(`${repository}@${d}: ${why(err)}`);
      }
    }
    for (const d of [...e.blobs].reverse()) {
      try {
        await repo.deleteBlob(d);
        out.deleted.push(`${repository}@${d}`);
      } catch (err) {
        if (!gone(err)) out.refused.push(`${repository}@${d}: ${why(err)}`);
      }
    }
    if (options.kind === 'harbor') {
      const r = await harborDeleteRepository(options, repository);
      if (r === 'deleted') out.deleted.push(repository);
      else if (r !== 'gone') out.refused.push(`${repository}: Harbor API ${r}`);
    }
  }
  // the check: nothing the journal names answers any more (unless the registry refused to delete it)
  const refusedRefs = new Set(out.refused.map((r) => r.split(': ')[0]!));
  for (const [repository, e] of repos) {
    const repo = new RemoteRepository(client, { registry: options.registry, repository });
    for (const d of e.manifests) {
      if (refusedRefs.has(`${repository}@${d}`)) continue;
      if ((await repo.headManifest(d).catch(() => undefined)) !== undefined)
        out.left.push(`${repository}@${d}`);
    }
    for (const d of e.blobs) {
      if (refusedRefs.has(`${repository}@${d}`)) continue;
      if ((await repo.headBlob(d).catch(() => undefined)) !== undefined) out.left.push(`${repository}@${d}`);
    }
  }
  return out;
}

/** A repository a peer tool pushed to: its tags' manifests, and the blobs they name. */
async function resolveUnnamed(
  repo: RemoteRepository,
  e: { manifests: string[]; blobs: string[] },
): Promise<void> {
  const tags = await repo.listTags().catch(() => [] as string[]);
  for (const t of tags) {
    const m = await repo.getManifest(t).catch(() => undefined);
    if (!m) continue;
    if (!e.manifests.includes(m.descriptor.digest)) e.manifests.push(m.descriptor.digest);
    if (m.parsed.kind === 'manifest') {
      for (const b of [m.parsed.manifest.config, ...m.parsed.manifest.layers])
        if (!e.blobs.includes(b.digest)) e.blobs.unshift(b.digest);
    }
  }
}

/**
 * DELETE /api/v2.0/projects/<project>/repositories/<repo> with Basic credentials.
 * The repository path is URL-encoded; Harbor's docs say twice when its nginx is in
 * front, so a 404 to the single encoding is tried once more doubly encoded.
 */
async function harborDeleteRepository(o: CleanupOptions, repository: string): Promise<string> {
  const [project, ...rest] = repository.split('/');
  if (!project || rest.length === 0) return 'gone';
  try {
    for (const name of [
      encodeURIComponent(rest.join('/')),
      encodeURIComponent(encodeURIComponent(rest.join('/'))),
    ]) {
      const status = await harborApi(
        o,
        'DELETE',
        `/projects/${encodeURIComponent(project)}/repositories/${name}`,
        async (res) => {
          await drain(res);
          return res.status;
        },
      );
      if (status === 200 || status === 202) return 'deleted';
      if (status !== 404) return String(status);
    }
    return 'gone';
  } catch (e) {
    return (e as Error).message;
  }
}
