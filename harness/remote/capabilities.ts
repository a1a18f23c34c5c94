// What a registry supports, discovered from its answers (never configured) and
// cached per registry for the life of a client (oras-go "capabilities"). Unknown
// stays undefined until something has measured it.

export interface Capabilities {
  /** GET /v2/<name>/referrers/<digest> answers 200 (distribution-spec 1.1). */
  referrersApi?: boolean;
  /** POST ?mount=&from= answered 201. */
  mount?: boolean;
  /** PATCH uploads work. */
  chunked?: boolean;
  /** OCI-Chunk-Min-Length from the last upload session. */
  chunkMinLength?: number;
  /** Blob GET with Range answers 206. */
  rangeGet?: boolean;
  deleteManifest?: boolean;
  deleteTag?: boolean;
  deleteBlob?: boolean;
  /** A manifest PUT with a subject answered with OCI-Subject. */
  subjectHeader?: boolean;
  /** The registry accepts image manifests with artifactType and the empty config. */
  artifactType?: boolean;
}

export class CapabilityCache {
  private readonly byRegistry = new Map<string, Capabilities>();

  /** The live, mutable record for a registry. */
  get(registry: string): Capabilities {
    let c = this.byRegistry.get(registry);
    if (!c) {
      c = {};
      this.byRegistry.set(registry, c);
    }
    return c;
  }

  snapshot(): Record<string, Capabilities> {
    return Object.fromEntries([...this.byRegistry.entries()].map(([k, v]) => [k, { ...v }]));
  }
}
