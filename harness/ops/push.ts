// push (and promote with --from): upload what the cache holds; never package.
// The destination must be a tag equal to the catalog version. Within one
// registry, blobs are mounted from the source repository; to another registry
// they stream from the cache. The kubara form goes first; if the registry
// refuses it, the fallback form is pushed and the user is told.
import { buildArtifact, type Form, readArtifact } from '../catalog/artifact.ts';
import type { CacheEntry } from '../catalog/cache.ts';
import { copyGraph } from '../content/copy.ts';
import { locatedAt } from '../content/located.ts';
import { RemoteTarget } from '../content/remote-target.ts';
import { readAll } from '../content/target.ts';
import { OcicatError } from '../errors.ts';
import { MAX_PULL_MANIFEST_BYTES } from '../oci/limits.ts';
import { parseManifest } from '../oci/manifest.ts';
import { formatReference, parseReference, type Reference } from '../oci/reference.ts';
import { bufferSource } from '../remote/blob-source.ts';
import type { OpsContext } from './context.ts';
import { LayerTee } from './layer-tee.ts';
import { pullCatalog } from './pull.ts';
import { artifactRefusal } from './refusal.ts';

export interface PushResult {
  reference: string;
  digest: string;
  form: Form;
  /** Why the fallback form was pushed. */
  fallbackReason?: string;
  uploaded: number;
  skipped: number;
  from?: string;
}

export async function cachedEntry(ctx: OpsContext, ref: Reference, verb: string): Promise<CacheEntry> {
  const entry = await ctx.cache.find(ref);
  if (!entry) {
    const versions = (await ctx.cache.entries())
      .filter((e) => e.registry === ref.registry && e.repository === ref.repository && e.tag)
      .map((e) => e.tag!);
    const cached = versions.length
      ? `; cached versions of this catalog: ${versions.join(', ')} (the tag must be the catalog version)`
      : '';
    throw new OcicatError('NOT_CACHED', `${formatReference(ref)} is not in the cache`, {
      hint:
        (verb === 'push'
          ? 'package it first (ocicat catalog package) or pull it'
          : 'pull it first (ocicat catalog pull)') + cached,
    });
  }
  return entry;
}

/** An error of one side of a promote, saying which (and which blob). */
function named(which: 'source' | 'destination', ref: string, e: unknown, blob?: string): unknown {
  if (!(e instanceof OcicatError) || /^(source|destination) /.test(e.message)) return e;
  return new OcicatError(e.code, `${which} ${ref}: ${blob ? `blob ${blob}: ` : ''}${e.message}`, {
    cause: e,
    ...(e.hint ? { hint: e.hint } : {}),
  });
}

/**
 * `push DST --from SRC` when SRC is not cached (issue 28): what `pull SRC` then
 * `push DST --from SRC` would do, with the two overlapping. The pull reads the
 * layer once (verified, vetted, into the cache); to another registry the layer is
 * uploaded from the cache file as it grows (layer-tee.ts), its last bytes only
 * once the pull has verified them; within one registry it is mounted after the
 * pull. Then the push of the now cached catalog puts the manifest and the tag
 * (the blobs are there: skipped). A failure on either side: one line naming it,
 * nothing tagged at the destination, nothing recorded in the cache.
 */
async function promoteUncached(ctx: OpsContext, destination: string, from: string): Promise<PushResult> {
  const dst = parseReference(destination);
  const src = parseReference(from);
  const remote = new RemoteTarget(ctx.client, dst);
  let upload: Promise<void> | undefined;
  let layerDigest = '';
  const cross = src.registry !== dst.registry;
  try {
    await pullCatalog(
      ctx,
      from,
      cross
        ? {
            onArtifact: (layer) => {
              const tee = new LayerTee(layer.size);
              layerDigest = layer.digest;
              upload = (async () => {
                if (await remote.exists(layer)) return;
                await remote.push(layer, tee.source());
              })();
              upload.catch(() => undefined); // awaited below, before anything is recorded
              return tee;
            },
            before: async () => {
              try {
                await upload;
              } catch (e) {
                throw named('destination', formatReference(dst), e, layerDigest);
              }
            },
          }
        : {},
    );
  } catch (e) {
    throw named('source', formatReference(src), e);
  }
  return pushCatalog(ctx, destination, from);
}

export async function pushCatalog(ctx: OpsContext, destination: string, from?: string): Promise<PushResult> {
  const dst = parseReference(destination);
  if (dst.digest) {
    throw new OcicatError('USAGE', `push destination ${destination} is a digest; push to a tag`, {
      hint: 'the tag must be the catalog version, e.g. oci://host/repo/name:1.2.3',
    });
  }
  if (!dst.tag)
    throw new OcicatError('USAGE', `push destination ${destination} has no tag`, {
      hint: 'add the catalog version as the tag, e.g. :1.2.3',
    });
  const srcRef = from ? parseReference(from) : dst;
  // a promote of a catalog this machine has not pulled: pulled and pushed at once
  if (from && !(await ctx.cache.find(srcRef))) return promoteUncached(ctx, destination, from);
  if (!from && !(await ctx.cache.find(dst))) {
    // `push …:latest` of a cached catalog: the tag is the problem, not the cache
    const versions = (await ctx.cache.entries())
      .filter((e) => e.registry === dst.registry && e.repository === dst.repository && e.tag)
      .map((e) => e.version);
    if (versions.length)
      throw new OcicatError(
        'TAG_MISMATCH',
        `tag ${dst.tag} is not a cached version of this catalog (cached: ${versions.join(', ')})`,
        {
          hint: `a catalog is pushed under its version: ${formatReference({ ...dst, tag: versions.at(-1)! })}`,
        },
      );
  }
  const entry = await cachedEntry(ctx, srcRef, 'push');
  if (dst.tag !== entry.version) {
    throw new OcicatError(
      'TAG_MISMATCH',
      `tag ${dst.tag} does not match the catalog version ${entry.version}`,
      {
        hint: `push to ${formatReference({ ...dst, tag: entry.version })}`,
      },
    );
  }
  const layout = await ctx.cache.layout(entry.registry, entry.repository);
  const src = locatedAt(layout, { registry: entry.registry, repository: entry.repository });
  const remote = new RemoteTarget(ctx.client, dst);
  const root = await layout.resolve(entry.digest);
  const onProgress = ctx.progress
    ? (d: { digest: string; size: number }, n: number) => ctx.progress!(d.digest, n, d.size)
    : undefined;
  const opts = onProgress ? { onProgress } : {};
  // kubara overwrites a remote tag without a word; ocicat does too, but says so
  const before = await remote.repo.headManifest(dst.tag).catch(() => undefined);
  if (before && before.digest !== root.digest)
    ctx.note(`${formatReference(dst)} held ${before.digest}; it now holds ${root.digest}`);
  try {
    const r = await copyGraph(src, root, remote, dst.tag, opts);
    if (entry.form === 'kubara') ctx.client.capabilities(dst.registry).artifactType = true;
    return {
      reference: formatReference(dst),
      digest: root.digest,
      form: entry.form,
      uploaded: r.copied,
      skipped: r.skipped,
      ...(from ? { from: formatReference(srcRef) } : {}),
    };
  } catch (e) {
    const reason = entry.form === 'kubara' ? artifactRefusal(e) : undefined;
    if (!reason) throw e;
    ctx.client.capabilities(dst.registry).artifactType = false;
    const info = readArtifact(
      parseManifest(await readAll(await layout.fetch(root), MAX_PULL_MANIFEST_BYTES), root.mediaType),
      formatReference(srcRef),
    );
    const fb = buildArtifact(
      { name: info.name, version: info.version, annotations: info.annotations },
      info.layer,
      'fallback',
    );
    await layout.push(fb.config.descriptor, bufferSource(fb.config.bytes));
    await layout.push(fb.descriptor, bufferSource(fb.manifest));
    const r = await copyGraph(src, fb.descriptor, remote, dst.tag, opts);
    ctx.note(
      `${dst.registry} refused the catalog artifact form (${reason}); pushed the fallback form instead`,
    );
    return {
      reference: formatReference(dst),
      digest: fb.descriptor.digest,
      form: 'fallback',
      fallbackReason: reason,
      uploaded: r.copied,
      skipped: r.skipped,
      ...(from ? { from: formatReference(srcRef) } : {}),
    };
  }
}
