import type { Credential } from '../harness/remote/auth/credential.ts';
import type { StartedTokenServer } from './auth/token-server.ts';
import type { ExpectedCapabilities } from './definition.ts';

// The shape every registry module shares (after testcontainers' modules): a
// definition says how to run it and what it is expected to support; start()
// returns a handle with url() that is AsyncDisposable (`await using`).

export type AuthVariant = 'anonymous' | 'htpasswd' | 'token' | 'tls' | 'credentials';
export type ProviderKind = 'process' | 'container' | 'remote';

export interface Login {
  username: string;
  password: string;
}

/**
 * How a registry the run started was started (a vendor's submission README
 * reproduces it): the binary or image, its arguments and configuration files with
 * the run folder as $RUN_DIR; credential files (htpasswd, keys, token settings)
 * are named, never shown.
 */
export interface RegistrySetup {
  binary?: string;
  image?: string;
  args: string[];
  env?: Record<string, string>;
  files: Record<string, string>;
  /** Files it reads that hold credentials or keys: their names only. */
  secretFiles: string[];
}

export interface StartedRegistry extends AsyncDisposable {
  /** e.g. "distribution2" */
  readonly name: string;
  readonly version: string;
  readonly provider: ProviderKind;
  readonly auth: AuthVariant;
  /** host:port as used in references */
  readonly host: string;
  /** true when the registry speaks plain HTTP */
  readonly plainHttp: boolean;
  readonly login?: Login;
  /** The CA that signed the registry's certificate, when it serves TLS with a generated CA. */
  readonly caFile?: string;
  /** What the registry is expected to support (suites compare with what they measure). */
  readonly expected?: ExpectedCapabilities;
  /** The token server of the token variant. */
  readonly token?: StartedTokenServer;
  /** Process and container providers: how it was started. */
  readonly setup?: RegistrySetup;
  /** Process provider: the registry's pid and run dir (for leak checks). */
  readonly pid?: number;
  readonly dir?: string;
  /** Container provider: the container id. */
  readonly containerId?: string;
  /** Remote provider: the credential from the registries file (may be an identity token). */
  readonly credential?: Credential;
  /** Remote provider: repositories of this run live below it; stop() removes what was pushed. */
  readonly namespace?: string;
  /** Remote provider: TLS verification off, as the entry asks. */
  readonly insecure?: boolean;
  /** Process provider: kill the registry hard and start it again (fault scenarios). */
  restart?(downMs?: number): Promise<void>;
  /** Remote provider: say a repository was pushed to, so stop() cleans it. */
  track?(repository: string): void;
  url(): string;
  stop(): Promise<void>;
}

/** Raised when a registry cannot run on this machine; suites report it as skip with this reason. */
export class RegistryUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RegistryUnavailable';
  }
}
