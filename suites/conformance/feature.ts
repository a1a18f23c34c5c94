// A conformance feature: one thing a registry does or does not do, measured by
// talking to it. The status ladder follows distribution-spec conformance: fail
// means the registry is wrong, error means the harness broke, and an optional
// feature the registry lacks is unsupported (measured, never configured).

import { randomBytes } from 'node:crypto';
import { StaticStore } from '../../harness/remote/auth/credential.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
import { clip, credentialSecrets } from '../../harness/remote/redact.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { recordWrite } from '../../harness/remote/write-log.ts';
import type { Target, Targets } from './target.ts';

export type Status = 'pass' | 'fail' | 'unsupported' | 'fallback' | 'skip' | 'error';
export const STATUS_ORDER: Status[] = ['skip', 'unsupported', 'fallback', 'pass', 'fail', 'error'];

export interface Outcome {
  status: Status;
  detail: string;
  /** Throughput and other numbers a feature measured. */
  metrics?: Record<string, number>;
}

export interface FeatureContext {
  target: Target;
  peer?: Target;
  /** A client for the target; its request log is the evidence. */
  client: RegistryClient;
  repo(suffix: string): RemoteRepository;
  /** A fresh repository name below the run's namespace. */
  fresh(label: string): string;
  clientFor(t: Target, log?: (l: string) => void): RegistryClient;
  /** The request log that becomes the evidence: give it to the ops' own clients too. */
  log: (line: string) => void;
  /** Say that something outside ocicat's client (a peer tool) pushed to this repository. */
  track(repository: string): void;
  tmp: string;
}

export interface Feature {
  id: string;
  title: string;
  area:
    | 'push'
    | 'pull'
    | 'manifest'
    | 'referrers'
    | 'tags'
    | 'delete'
    | 'auth'
    | 'catalog'
    | 'errors'
    | 'interop'
    | 'artifact'
    | 'faults'
    /** the official OCI conformance suite's rows (official/rows.ts) */
    | 'official';
  /** Optional in distribution-spec 1.1: lacking it is "unsupported", not "fail". */
  optional: boolean;
  /** Runs only with `conformance run --spec next`: what main asks beyond 1.1.1 (features/spec-next.ts). */
  spec?: 'next';
  run(ctx: FeatureContext): Promise<Outcome>;
}

export const pass = (detail = '', metrics?: Record<string, number>): Outcome => ({
  status: 'pass',
  detail,
  ...(metrics ? { metrics } : {}),
});
export const fail = (detail: string): Outcome => ({ status: 'fail', detail });
export const unsupported = (detail: string): Outcome => ({ status: 'unsupported', detail });
export const fallback = (detail: string): Outcome => ({ status: 'fallback', detail });
export const skip = (detail: string): Outcome => ({ status: 'skip', detail });

/** Thrown by a check when the registry answered wrongly (a fail, not an error). */
export class RegistryWrong extends Error {}

export function expectThat(ok: boolean, what: string): void {
  if (!ok) throw new RegistryWrong(what);
}

export function makeClient(t: Target, log?: (l: string) => void): RegistryClient {
  return new RegistryClient({
    plainHttp: t.plainHttp,
    ...(t.credential ? { credentials: new StaticStore({ [t.host]: t.credential }) } : {}),
    ...(t.caFile ? { caFile: t.caFile } : {}),
    ...(t.insecure ? { insecure: true } : {}),
    // like a real client: ECR's rate limit answers 429 without Retry-After
    retry: { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 2_000, retryAfterCapMs: 5_000 },
    ...(log ? { log, evidence: true } : {}),
  });
}

export function makeContext(
  targets: Targets,
  target: Target,
  log: (l: string) => void,
  tmp: string,
): FeatureContext {
  const client = makeClient(target, log);
  return {
    target,
    ...(targets.peer ? { peer: targets.peer } : {}),
    client,
    repo: (name) => new RemoteRepository(client, { registry: target.host, repository: name }),
    fresh: (label) => `${target.namespace}/${label}-${randomBytes(3).toString('hex')}`,
    clientFor: makeClient,
    log,
    track: (repository) => recordWrite({ registry: target.host, repository, kind: 'repository' }),
    tmp,
  };
}

/**
 * At most `max` characters of what a registry answered, on one line, for a
 * cell's detail: the target's secrets and anything credential-shaped scrubbed
 * before the cut (issue 24 N3).
 */
export function excerpt(ctx: FeatureContext, text: string, max: number): string {
  return clip(text.replace(/\s+/g, ' ').trim(), max, credentialSecrets(ctx.target.credential));
}
