// Small storage interfaces that combine into a Target (after oras-go's content
// package): a copy reads from one Target and writes to another, whatever backs them.
import type { Descriptor } from '../oci/manifest.ts';
import type { BlobSource } from '../remote/blob-source.ts';

export interface PushOptions {
  /** For a manifest: also put it under this tag (in one step where the backend can). */
  reference?: string;
  /** Hint: the same bytes are in this repository of the same registry (cross-repository mount). */
  mountFrom?: string;
  onProgress?: (bytes: number) => void;
}

export interface ReadOnlyStorage {
  exists(desc: Descriptor): Promise<boolean>;
  /** The content, re-openable at any offset (so a consumer can retry). */
  fetch(desc: Descriptor): Promise<BlobSource>;
}

export interface Storage extends ReadOnlyStorage {
  /** Store content; it must match the descriptor or nothing is stored. */
  push(desc: Descriptor, source: BlobSource, options?: PushOptions): Promise<void>;
}

export interface Resolver {
  /** A tag or digest to the descriptor of its manifest. */
  resolve(reference: string): Promise<Descriptor>;
}

export interface Tagger {
  tag(desc: Descriptor, reference: string): Promise<void>;
}

export interface Target extends Storage, Resolver, Tagger {
  /** Registry and repository when the target is remote (enables mounts). */
  readonly location?: { registry: string; repository: string };
  /** Human name for errors: "oci://host/repo" or a path. */
  readonly name: string;
}

/** Read a whole (small) content into memory, refusing more than `limit` bytes. */
export async function readAll(source: BlobSource, limit: number): Promise<Buffer> {
  if (source.size > limit) throw new RangeError(`content of ${source.size} bytes exceeds ${limit}`);
  const chunks: Buffer[] = [];
  for await (const c of source.open(0, source.size)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
