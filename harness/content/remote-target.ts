// A repository on a registry as a Target. Blob content is served lazily as a
// re-openable source backed by (ranged) GETs, so a registry-to-registry copy
// streams without touching the disk and can still retry an upload.
import { OcicatError } from '../errors.ts';
import { Verifier } from '../oci/digest.ts';
import { MAX_PUSH_MANIFEST_BYTES } from '../oci/limits.ts';
import { type Descriptor, isManifestDescriptor, parseManifest } from '../oci/manifest.ts';
import { type BlobSource, bufferSource } from '../remote/blob-source.ts';
import type { UploadStrategy } from '../remote/blob-upload.ts';
import type { RegistryClient } from '../remote/client.ts';
import { RemoteRepository } from '../remote/repository.ts';
import { type PushOptions, readAll, type Target } from './target.ts';

export interface RemoteTargetOptions {
  strategy?: UploadStrategy;
  chunkSize?: number;
}

/**
 * The whole blob, checked against its descriptor, with its last chunk held back
 * until the digest matches: an upload fed from it never completes with bytes that
 * are not the blob (a registry-to-registry copy streams without a file between).
 */
async function* verified(
  input: AsyncIterable<Buffer>,
  desc: Descriptor,
  name: string,
): AsyncGenerator<Buffer> {
  const v = new Verifier(desc);
  let held: Buffer | undefined;
  try {
    for await (const c of input) {
      v.update(c);
      if (held) yield held;
      held = c;
    }
    v.finish();
  } catch (e) {
    // the upload that reads it fails with this: it is the source's fault, say so
    if (e instanceof OcicatError && (e.code === 'DIGEST_MISMATCH' || e.code === 'SIZE_MISMATCH'))
      throw new OcicatError(e.code, `source ${name}: blob ${desc.digest}: ${e.message}`, { cause: e });
    throw e;
  }
  if (held) yield held;
}

/** At most `n` bytes of a chunk stream; the rest is not read. */
async function* take(input: AsyncIterable<Buffer>, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const c of input) {
    if (c.length >= left) {
      if (left > 0) yield c.subarray(0, left);
      return; // leaving the loop closes the input
    }
    left -= c.length;
    yield c;
  }
}

export class RemoteTarget implements Target {
  readonly repo: RemoteRepository;
  readonly location: { registry: string; repository: string };
  readonly name: string;
  private readonly options: RemoteTargetOptions;
  private readonly manifests = new Map<string, Buffer>();

  constructor(
    client: RegistryClient,
    ref: { registry: string; repository: string },
    options: RemoteTargetOptions = {},
  ) {
    this.repo = new RemoteRepository(client, ref);
    this.location = { registry: ref.registry, repository: ref.repository };
    this.name = `oci://${ref.registry}/${ref.repository}`;
    this.options = options;
  }

  async exists(desc: Descriptor): Promise<boolean> {
    if (isManifestDescriptor(desc)) return (await this.repo.headManifest(desc.digest)) !== undefined;
    return (await this.repo.headBlob(desc.digest)) !== undefined;
  }

  async manifestBytes(desc: Descriptor): Promise<Buffer> {
    const cached = this.manifests.get(desc.digest);
    if (cached) return cached;
    const m = await this.repo.getManifest(desc.digest);
    this.manifests.set(desc.digest, m.bytes);
    return m.bytes;
  }

  async fetch(desc: Descriptor): Promise<BlobSource> {
    if (isManifestDescriptor(desc)) return bufferSource(await this.manifestBytes(desc));
    const repo = this.repo;
    const name = this.name;
    return {
      size: desc.size,
      open(start: number, end: number): AsyncIterable<Buffer> {
        const s = repo.readBlob(desc, { offset: start });
        if (start === 0 && end >= desc.size) return verified(s, desc, name);
        return end >= desc.size ? s : take(s, end - start);
      },
      toFile: (path, onProgress) => repo.fetchBlobToFile(desc, path, onProgress ? { onProgress } : {}),
    };
  }

  async push(desc: Descriptor, source: BlobSource, options: PushOptions = {}): Promise<void> {
    if (isManifestDescriptor(desc)) {
      const bytes = await readAll(source, MAX_PUSH_MANIFEST_BYTES);
      await this.putManifest(desc, bytes, options.reference ?? desc.digest);
      return;
    }
    await this.repo.pushBlob(desc, source, {
      ...(options.mountFrom ? { mountFrom: options.mountFrom } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(this.options.strategy ? { strategy: this.options.strategy } : {}),
      ...(this.options.chunkSize ? { chunkSize: this.options.chunkSize } : {}),
    });
  }

  private async putManifest(desc: Descriptor, bytes: Buffer, reference: string): Promise<void> {
    const res = await this.repo.putManifest(reference, bytes, desc.mediaType);
    if (res.digest !== desc.digest) {
      throw new OcicatError(
        'DIGEST_MISMATCH',
        `${this.name}: manifest bytes have digest ${res.digest}, not ${desc.digest}`,
      );
    }
    this.manifests.set(desc.digest, bytes);
    const parsed = parseManifest(bytes, desc.mediaType).manifest;
    const subject = parsed.subject;
    const caps = this.repo.client.capabilities(this.location.registry);
    if (subject) {
      caps.subjectHeader = res.subject !== undefined;
      // No OCI-Subject: the registry did not index it; keep the tag-schema index (spec "Pushing Manifests with Subject").
      if (!res.subject) {
        const ref: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
        const artifactType =
          parsed.artifactType ?? ('config' in parsed ? parsed.config.mediaType : undefined);
        if (artifactType) ref.artifactType = artifactType;
        if (parsed.annotations) ref.annotations = parsed.annotations;
        await this.repo.addToReferrersTag(subject.digest, ref);
      }
    }
  }

  async resolve(reference: string): Promise<Descriptor> {
    const d = await this.repo.headManifest(reference);
    if (!d) throw new OcicatError('NOT_FOUND', `${this.name}:${reference} not found`);
    return d;
  }

  async tag(desc: Descriptor, reference: string): Promise<void> {
    await this.putManifest(desc, await this.manifestBytes(desc), reference);
  }
}
