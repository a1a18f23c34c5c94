// The remote provider: a registry reached by configuration (registries-file.ts).
// start() checks it answers and that its credentials work, naming the entry when
// not; repositories of the run live below `<namespace>/run-<time>-<random>`;
// cleanup() and stop() delete every manifest and blob the run wrote there
// (cleanup.ts; registries that refuse deletes, like GHCR, are listed, not failed).

import { randomBytes } from 'node:crypto';
import { StaticStore } from '../../harness/remote/auth/credential.ts';
import { pushScope } from '../../harness/remote/auth/scope.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
import { drain, readErrorText } from '../../harness/remote/http.ts';
import { clip, credentialSecrets, scrub } from '../../harness/remote/redact.ts';
import { onWrite, recordWrite, type WriteRecord } from '../../harness/remote/write-log.ts';
import { type CleanupOutcome, cleanupWrites } from '../cleanup.ts';
import { harborVersion } from '../harbor-api.ts';
import type { RemoteEntry } from '../registries-file.ts';
import type { StartedRegistry } from '../types.ts';

/**
 * A registry the run was pointed at cannot be tested: refused credentials, no
 * answer, a certificate not trusted, a namespace it will not take. An error for
 * that registry (the run exits 1), never a column of skips (issue 14).
 */
export class RegistrySetupError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'RegistrySetupError';
    this.hint = hint;
  }
}

const withHint = (message: string, hint: string) => Object.assign(new Error(message), { hint });

/**
 * What start() checks before a single feature runs: /v2/ answers 200 with the
 * entry's credentials, and an upload may be started below the run's namespace
 * (then cancelled). Harbor answers a push to a project that does not exist with
 * 401 "project ... not found" (REGISTRY-FACTS, Harbor 2.15.2).
 */
async function checkSetup(client: RegistryClient, entry: RemoteEntry, namespace: string): Promise<void> {
  const creds = entry.secretEnv
    ? `check ${entry.secretEnv} (and the user name)`
    : 'the entry has no credentials: add usernameEnv and passwordEnv';
  let res: Awaited<ReturnType<RegistryClient['send']>>;
  try {
    res = await client.send({
      registry: entry.registry,
      method: 'GET',
      path: '/v2/',
      scopes: [],
      retry: false,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'TLS')
      throw withHint(
        `TLS failed: ${(e as Error).message}`,
        'set caFile: <the CA of its certificate> in the entry, or insecure: true',
      );
    if (code === 'UNAUTHORIZED') throw withHint('credentials refused', creds);
    throw withHint(
      `cannot be reached: ${(e as Error).message}`,
      'is the url right, and is the registry running?',
    );
  }
  await drain(res);
  if (res.status === 401) throw withHint('credentials refused (GET /v2/ answered 401)', creds);
  if (res.status !== 200)
    throw withHint(`GET /v2/ answered ${res.status}`, 'is the url that of the registry API?');
  const repository = `${namespace}/ocicat-setup-probe`;
  let probe: Awaited<ReturnType<RegistryClient['send']>>;
  try {
    probe = await client.send({
      registry: entry.registry,
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/`,
      scopes: [pushScope(repository)],
      retry: false,
    });
  } catch (e) {
    throw withHint(
      `the namespace "${entry.namespace}" cannot be pushed to: ${(e as Error).message}`,
      `create the project "${entry.namespace.split('/')[0]}" first, or give the credentials push rights there`,
    );
  }
  const text = probe.status === 202 ? '' : await readErrorText(probe);
  if (probe.status !== 202) {
    const missing = /not found|NAME_UNKNOWN|does not exist/i.test(text) || probe.status === 404;
    throw withHint(
      `the namespace "${entry.namespace}" refuses a push (POST of an upload answered ${probe.status}${text ? `: ${clip(text.replace(/\s+/g, ' '), 200, credentialSecrets(entry.credential))}` : ''})`,
      missing
        ? `create the project "${entry.namespace.split('/')[0]}" first`
        : `give the credentials push rights below "${entry.namespace}"`,
    );
  }
  const location = probe.headers.location;
  await drain(probe);
  if (typeof location === 'string') {
    const cancel = await client
      .send({
        registry: entry.registry,
        method: 'DELETE',
        path: location,
        scopes: [pushScope(repository)],
        retry: false,
      })
      .catch(() => undefined);
    if (cancel) await drain(cancel);
  }
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
): Promise<StartedRegistry & { cleanup(journal?: WriteRecord[]): Promise<CleanupOutcome> }> {
  const client = clientOf(entry);
  const c = entry.credential;
  const secrets = credentialSecrets(c);
  const namespace = runNamespace(entry.namespace);
  try {
    await checkSetup(client, entry, namespace);
  } catch (e) {
    await client.close();
    const hint = (e as { hint?: string }).hint;
    throw new RegistrySetupError(
      `registry entry "${entry.name}" (${entry.registry}): ${scrub((e as Error).message, secrets)}`,
      hint ? scrub(hint, secrets) : undefined,
    );
  }
  // what the run wrote there (write-log.ts): this process's clients, and the
  // journal of the suite processes handed in by the orchestrator
  const written: WriteRecord[] = [];
  const unsubscribe = onWrite((r) => {
    if (r.registry === entry.registry) written.push(r);
  });
  const cleanup = async (journal: WriteRecord[] = []): Promise<CleanupOutcome> => {
    const records = [...written, ...journal];
    written.length = 0;
    return cleanupWrites(client, records, {
      registry: entry.registry,
      plainHttp: entry.plainHttp,
      ...(entry.kind ? { kind: entry.kind } : {}),
      ...(entry.credential ? { credential: entry.credential } : {}),
      ...(entry.caFile ? { caFile: entry.caFile } : {}),
      ...(entry.insecure ? { insecure: true } : {}),
    });
  };
  const stop = async () => {
    await cleanup();
    unsubscribe();
    await client.close();
  };
  // what it is: the file's word, else Harbor's API, else "remote" (REGISTRY-FACTS:
  // /v2/ carries no version)
  const version =
    entry.version ?? (entry.kind === 'harbor' ? await harborVersion(entry) : undefined) ?? 'remote';
  return {
    name: entry.name,
    version,
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
      recordWrite({ registry: entry.registry, repository, kind: 'repository' });
    },
    url: () => `${entry.plainHttp ? 'http' : 'https'}://${entry.registry}`,
    cleanup,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
