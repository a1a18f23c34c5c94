import type { RegistryClient } from './client.ts';

/** A repository on a registry, and the client that talks to it. */
export interface RepoRef {
  readonly client: RegistryClient;
  readonly registry: string;
  readonly repository: string;
}
