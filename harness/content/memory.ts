// An in-memory Target, for tests and small in-process copies.
import { OcicatError } from '../errors.ts';
import { digestOf, isDigest, parseDigest } from '../oci/digest.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { type BlobSource, bufferSource } from '../remote/blob-source.ts';
import { type PushOptions, readAll, type Target } from './target.ts';

export class MemoryTarget implements Target {
  readonly name: string;
  private readonly blobs = new Map<string, Buffer>();
  private readonly tags = new Map<string, Descriptor>();
  private readonly descs = new Map<string, Descriptor>();

  constructor(name = 'memory') {
    this.name = name;
  }

  async exists(desc: Descriptor): Promise<boolean> {
    return this.blobs.has(desc.digest);
  }

  async fetch(desc: Descriptor): Promise<BlobSource> {
    const b = this.blobs.get(desc.digest);
    if (!b) throw new OcicatError('NOT_FOUND', `${this.name}: ${desc.digest} not found`);
    return bufferSource(b);
  }

  async push(desc: Descriptor, source: BlobSource, options: PushOptions = {}): Promise<void> {
    const bytes = await readAll(source, Math.max(desc.size, 0) + 1);
    const got = digestOf(bytes, parseDigest(desc.digest).algorithm);
    if (bytes.length !== desc.size || got !== desc.digest) {
      throw new OcicatError('DIGEST_MISMATCH', `${this.name}: content does not match ${desc.digest}`);
    }
    this.blobs.set(desc.digest, bytes);
    this.descs.set(desc.digest, desc);
    if (options.reference) await this.tag(desc, options.reference);
  }

  async resolve(reference: string): Promise<Descriptor> {
    const d = isDigest(reference) ? this.descs.get(reference) : this.tags.get(reference);
    if (!d) throw new OcicatError('NOT_FOUND', `${this.name}: ${reference} not found`);
    return d;
  }

  async tag(desc: Descriptor, reference: string): Promise<void> {
    if (!this.blobs.has(desc.digest))
      throw new OcicatError('NOT_FOUND', `${this.name}: cannot tag missing ${desc.digest}`);
    this.tags.set(reference, desc);
  }

  listTags(): string[] {
    return [...this.tags.keys()].sort();
  }
}
