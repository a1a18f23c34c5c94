// copy(src, dst, ref): walk the manifest graph from a root, push what the
// destination lacks children-first, and put the tag last, so a failure never
// leaves a tag pointing at something incomplete. Blobs the destination already
// has are skipped; within one registry they are mounted. This is the whole of
// "promote" (oras-go's Copy is the model).
import { OcicatError } from '../errors.ts';
import { MAX_PULL_MANIFEST_BYTES } from '../oci/limits.ts';
import { type Descriptor, isManifestDescriptor, parseManifest, successors } from '../oci/manifest.ts';
import { bufferSource } from '../remote/blob-source.ts';
import { Limiter } from '../remote/limiter.ts';
import { readAll, type Target } from './target.ts';

export interface CopyOptions {
  /** Blob transfers at once (default 3). */
  concurrency?: number;
  onBlob?: (desc: Descriptor, event: 'skipped' | 'copied') => void;
  onProgress?: (desc: Descriptor, bytes: number) => void;
}

export interface CopyResult {
  root: Descriptor;
  /** Nodes pushed. */
  copied: number;
  /** Nodes (with their subgraphs) the destination already had. */
  skipped: number;
}

/** Run `fn`, naming the side of the copy that failed. */
async function side<T>(which: 'source' | 'destination', target: Target, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    // an error that names its side already (a source blob that failed its digest
    // while the destination's upload read it) keeps it
    if (e instanceof OcicatError && !/^(source|destination) /.test(e.message)) {
      throw new OcicatError(e.code, `${which} ${target.name}: ${e.message}`, {
        cause: e,
        ...(e.hint ? { hint: e.hint } : {}),
      });
    }
    throw e;
  }
}

export async function copy(
  src: Target,
  srcRef: string,
  dst: Target,
  dstRef: string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const root = await side('source', src, () => src.resolve(srcRef));
  return copyGraph(src, root, dst, dstRef, options);
}

/** Copy the graph under `root` and put it under `dstRef` (a tag or the digest). */
export async function copyGraph(
  src: Target,
  root: Descriptor,
  dst: Target,
  dstRef: string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const limiter = new Limiter(options.concurrency ?? 3);
  const done = new Map<string, Promise<void>>();
  // the first failure stops the rest: nothing more is started (a copy that has
  // failed must not go on writing to the destination after the command returned)
  let failure: { error: unknown } | undefined;
  const stopIfFailed = () => {
    if (failure) throw failure.error;
  };
  let copied = 0;
  let skipped = 0;
  const mountFrom =
    src.location &&
    dst.location &&
    src.location.registry === dst.location.registry &&
    src.location.repository !== dst.location.repository
      ? src.location.repository
      : undefined;

  const copyBlob = async (desc: Descriptor): Promise<void> => {
    const release = await limiter.acquire();
    try {
      stopIfFailed();
      if (await side('destination', dst, () => dst.exists(desc))) {
        skipped++;
        options.onBlob?.(desc, 'skipped');
        return;
      }
      stopIfFailed();
      const source = await side('source', src, () => src.fetch(desc));
      const onProgress = options.onProgress;
      await side('destination', dst, () =>
        dst.push(desc, source, {
          ...(mountFrom ? { mountFrom } : {}),
          ...(onProgress ? { onProgress: (n: number) => onProgress(desc, n) } : {}),
        }),
      );
      copied++;
      options.onBlob?.(desc, 'copied');
    } finally {
      release();
    }
  };

  const visit = (desc: Descriptor, reference?: string): Promise<void> => {
    const key = desc.digest + (reference ? `#${reference}` : '');
    let p = done.get(key);
    if (!p) {
      p = (isManifestDescriptor(desc) ? copyManifest(desc, reference) : copyBlob(desc)).catch(
        (e: unknown) => {
          failure ??= { error: e };
          throw e;
        },
      );
      done.set(key, p);
    }
    return p;
  };

  const copyManifest = async (desc: Descriptor, reference?: string): Promise<void> => {
    const bytes = await side('source', src, async () =>
      readAll(await src.fetch(desc), MAX_PULL_MANIFEST_BYTES),
    );
    // A manifest the destination holds was pushed after its children: skip the whole
    // subgraph (oras-go does the same). For the root, only the tag is put again.
    if (await side('destination', dst, () => dst.exists(desc))) {
      skipped++;
      if (reference) await side('destination', dst, () => dst.push(desc, bufferSource(bytes), { reference }));
      return;
    }
    const parsed = parseManifest(bytes, desc.mediaType);
    await Promise.all(successors(parsed).map((d) => visit(d)));
    stopIfFailed();
    await side('destination', dst, () => dst.push(desc, bufferSource(bytes), reference ? { reference } : {}));
    copied++;
  };

  await visit(root, dstRef);
  return { root, copied, skipped };
}
