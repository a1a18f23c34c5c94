// A registry under test, as the orchestrator hands it to the suites (through the
// environment, so it crosses into vitest's worker processes): where it is, how
// to log in, and what is expected of it.

import type { Credential } from '../../harness/remote/auth/credential.ts';
import type { ExpectedCapabilities } from '../../registries/definition.ts';

export interface Target {
  /** Unique in a run: e.g. "distribution2/process/htpasswd", "ghcr-profile". */
  id: string;
  title: string;
  name: string;
  version: string;
  provider: 'process' | 'container' | 'remote' | 'proxy';
  auth: string;
  /** The quirk profile in front of it, for proxy targets. */
  profile?: string;
  host: string;
  plainHttp: boolean;
  caFile?: string;
  insecure?: boolean;
  credential?: Credential;
  /** Token server realm of the token variant (for the identity-token feature). */
  tokenRealm?: string;
  /** Repositories are created below this. */
  namespace: string;
  expected?: Partial<ExpectedCapabilities>;
}

export interface Targets {
  targets: Target[];
  /** A second registry for cross-registry promotion, when the run has one. */
  peer?: Target;
}

export const TARGETS_ENV = 'OCICAT_CONFORMANCE_TARGETS';

export function targetsFromEnv(env: NodeJS.ProcessEnv = process.env): Targets {
  const raw = env[TARGETS_ENV];
  if (!raw) return { targets: [] };
  return JSON.parse(raw) as Targets;
}
