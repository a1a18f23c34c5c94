// A registry definition: how to run it (binary, config per auth variant), how a
// container runs it, and what it is expected to support (from REGISTRY-FACTS and
// the registry's docs; suites measure the real answer and compare).

import type { StartedTokenServer } from './auth/token-server.ts';
import type { TlsFiles } from './tls/ca.ts';
import type { AuthVariant, Login } from './types.ts';

export interface ExpectedCapabilities {
  referrersApi: boolean;
  mount: boolean;
  chunked: boolean;
  rangeGet: boolean;
  deleteManifest: boolean;
  deleteTag: boolean;
  /** 416 on an out-of-order chunk (distribution 2.8 ignores Content-Range). */
  chunkRangeChecked: boolean;
  tagsPagination: boolean;
}

/** A registry that does everything the harness asks about (olareg, Zot). */
export const ALL_CAPABILITIES: ExpectedCapabilities = {
  referrersApi: true,
  mount: true,
  chunked: true,
  rangeGet: true,
  deleteManifest: true,
  deleteTag: true,
  chunkRangeChecked: true,
  tagsPagination: true,
};

export interface LaunchContext {
  /** Where config files are written (a temp dir of the run). */
  dir: string;
  /** Where that dir is seen by the registry (the same, or a container mount). */
  seenAs: string;
  /** The address the registry binds (in a container: 0.0.0.0). */
  bind: string;
  port: number;
  auth: AuthVariant;
  login?: Login;
  tls?: TlsFiles;
  token?: Pick<StartedTokenServer, 'realm' | 'service' | 'issuer' | 'certFile'>;
}

export interface Launch {
  /** Files to write below ctx.dir, by relative path. */
  files: Record<string, string>;
  /** Arguments to the binary; paths in them use ctx.seenAs. */
  args: string[];
  env?: Record<string, string>;
}

export interface RegistryDefinition {
  name: string;
  title: string;
  auths: AuthVariant[];
  expected: ExpectedCapabilities;
  /** The binary to run as a process; throws RegistryUnavailable with the reason. */
  binary(): Promise<string>;
  version(binary: string): Promise<string>;
  launch(ctx: LaunchContext): Launch;
  /**
   * The token variant uses the registry's own token server (olareg's opaque tokens
   * at <external-url>/token), not the harness's.
   */
  ownTokenServer?: boolean;
  /** The official image and the port it listens on inside. */
  image: { name: string; port: number };
}

/** Path of a run file as the registry sees it. */
export function seen(ctx: LaunchContext, rel: string): string {
  return `${ctx.seenAs}/${rel}`;
}
