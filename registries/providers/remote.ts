// The remote provider: a registry reached by configuration (registries-file.ts).
// start() checks it answers and that its credentials work, naming the entry when
// not; repositories of the run live below `<namespace>/run-<time>-<random>`;
// stop() deletes the manifests pushed there (best effort: registries that refuse
// deletes, like GHCR, are said so in the result, not failed).
import { randomBytes } from 'node:crypto';
import { StaticStore } from '../../harness/remote/auth/credential.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
import { drain } from '../../harness/remote/http.ts';
import { basicPairs, scrub } from '../../harness/remote/redact.ts';
import { isRegistryError } from '../../harness/remote/registry-error.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { RegistriesFileError, type RemoteEntry } from '../registries-file.ts';
import type { StartedRegistry } from '../types.ts';

export interface CleanupReport {
  deleted: number;
  refused: string[];
}

function clientOf(entry: RemoteEntry): RegistryClient {
  return new RegistryClient({
    plainHttp: entry.plainHttp,
    ...(entry.credential ? { credentials: new StaticStore({ [entry.registry]: entry.credential }) } : {}),
    ...(entry.caFile ? { caFile: entry.caFile } : {}),
    ...(entry.insecure ? { insecure: true } : {}),
    retry: { maxRetries: 2 },
  });
}

export function runNamespace(base: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${base}/run-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function startRemote(
  entry: RemoteEntry,
): Promise<StartedRegistry & { cleanup(): Promise<CleanupReport> }> {
  const client = clientOf(entry);
  const c = entry.credential;
  const secrets = c ? [c.password, c.identityToken, ...basicPairs([c])] : [];
  try {
    const res = await client.send({ registry: entry.registry, method: 'GET', path: '/v2/', scopes: [] });
    await drain(res);
    if (res.status !== 200) throw new Error(`GET /v2/ answered ${res.status}`);
  } catch (e) {
    await client.close();
    throw new RegistriesFileError(
      `registry entry "${entry.name}" (${entry.registry}): ${scrub((e as Error).message, secrets)}`,
    );
  }
  const namespace = runNamespace(entry.namespace);
  const tracked = new Set<string>();
  const cleanup = async (): Promise<CleanupReport> => {
    const report: CleanupReport = { deleted: 0, refused: [] };
    for (const repository of tracked) {
      const repo = new RemoteRepository(client, { registry: entry.registry, repository });
      const tags = await repo.listTags().catch(() => [] as string[]);
      const digests = new Set<string>();
      for (const t of tags) {
        const d = await repo.headManifest(t).catch(() => undefined);
        if (d) digests.add(d.digest);
      }
      for (const d of digests) {
        try {
          await repo.deleteManifest(d);
          report.deleted++;
        } catch (e) {
          report.refused.push(`${repository}@${d}: ${isRegistryError(e) ? e.status : (e as Error).message}`);
        }
      }
    }
    tracked.clear();
    return report;
  };
  const stop = async () => {
    await cleanup();
    await client.close();
  };
  return {
    name: entry.name,
    version: 'remote',
    provider: 'remote',
    auth: entry.credential ? 'credentials' : 'anonymous',
    host: entry.registry,
    plainHttp: entry.plainHttp,
    namespace,
    ...(entry.credential ? { credential: entry.credential } : {}),
    ...(entry.credential?.username && entry.credential.password
      ? { login: { username: entry.credential.username, password: entry.credential.password } }
      : {}),
    ...(entry.caFile ? { caFile: entry.caFile } : {}),
    ...(entry.insecure ? { insecure: true } : {}),
    track: (repository: string) => {
      tracked.add(repository);
    },
    url: () => `${entry.plainHttp ? 'http' : 'https'}://${entry.registry}`,
    cleanup,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
