// What a registry login holds. Never printed: see redact.ts.

export interface Credential {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker config "identitytoken"). */
  identityToken?: string;
  /** A ready bearer token (docker config "registrytoken"). */
  registryToken?: string;
}

export interface CredentialStore {
  get(registry: string): Promise<Credential | undefined>;
}

export function secretsOf(c: Credential | undefined): string[] {
  if (!c) return [];
  return [c.password, c.identityToken, c.registryToken].filter((s): s is string => !!s);
}

/** Tries each store in turn (ocicat's own file first, then Docker's config, like oras and helm). */
export class ChainStore implements CredentialStore {
  private readonly stores: CredentialStore[];
  constructor(stores: CredentialStore[]) {
    this.stores = stores;
  }
  async get(registry: string): Promise<Credential | undefined> {
    for (const s of this.stores) {
      const c = await s.get(registry);
      if (c) return c;
    }
    return undefined;
  }
}

export class StaticStore implements CredentialStore {
  private readonly map: Map<string, Credential>;
  constructor(entries: Record<string, Credential>) {
    this.map = new Map(Object.entries(entries));
  }
  async get(registry: string): Promise<Credential | undefined> {
    return this.map.get(registry);
  }
}
