// pull: a catalog from a registry into the cache; never unpacks. The manifest is
// verified against its digest, the blobs as they are written, and the layer is
// vetted (a dry-run unpack) as it arrives, before it is renamed into the cache and
// the reference recorded, so a hostile or broken artifact never becomes a cache
// entry. Says "updated" when a cached tag
// now resolves to another digest.
import { createReadStream } from 'node:fs';
import type { Gunzip } from 'node:zlib';
import { type Form, readArtifact } from '../catalog/artifact.ts';
import { unpackInflating, unpackLayer } from '../catalog/unpack.ts';
import { RemoteTarget } from '../content/remote-target.ts';
import { OcicatError } from '../errors.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { formatReference, parseReference } from '../oci/reference.ts';
import { bufferSource } from '../remote/blob-source.ts';
import { isRegistryError } from '../remote/registry-error.ts';
import type { OpsContext } from './context.ts';
import { vettedLayer } from './layer-pass.ts';
import type { LayerTee } from './layer-tee.ts';

export interface PullResult {
  reference: string;
  digest: string;
  name: string;
  version: string;
  form: Form;
  /** The cached tag pointed to another digest before this pull. */
  updated: boolean;
  previousDigest?: string;
}

/** A promote's hooks into the pull (push.ts, layer-tee.ts). */
export interface PullOptions {
  /** Called once the manifest is read: a tee to fill as the layer lands. */
  onArtifact?: (layer: Descriptor) => LayerTee | undefined;
  /** Awaited before the catalog is recorded in the cache: a rejection records nothing. */
  before?: () => Promise<void>;
}

export async function pullCatalog(
  ctx: OpsContext,
  input: string,
  options: PullOptions = {},
): Promise<PullResult> {
  const ref = parseReference(input);
  if (!ref.tag && !ref.digest) throw new OcicatError('USAGE', `pull needs a tag or a digest: ${input}`);
  const where = formatReference(ref);
  const remote = new RemoteTarget(ctx.client, ref);
  const m = await remote.repo.getManifest(ref.digest ?? ref.tag!).catch(async (e) => {
    // a missing tag: say which tags the repository has (the first ten)
    if (!ref.tag || ref.digest || !isRegistryError(e) || e.status !== 404) throw e;
    const tags = await remote.repo.listTags({ maxPages: 10 }).catch(() => undefined);
    throw new OcicatError('NOT_FOUND', `${where} not found`, {
      cause: e,
      hint:
        tags === undefined
          ? 'the repository does not exist, or its tags cannot be listed'
          : tags.length
            ? `tags there: ${tags.slice(0, 10).join(', ')}${tags.length > 10 ? `, and ${tags.length - 10} more` : ''}`
            : 'the repository has no tags',
    });
  });
  const info = readArtifact(m.parsed, where);
  if (ref.tag && info.version !== ref.tag) {
    throw new OcicatError(
      'TAG_MISMATCH',
      `${where} holds catalog version ${info.version}; a catalog's tag must be its version`,
    );
  }
  const layout = await ctx.cache.layout(ref.registry, ref.repository);
  const tee = options.onArtifact?.(info.layer);
  await layout.push(info.config, await remote.fetch(info.config));
  // the dry-run unpack: the same function unpackage runs, writing nothing
  const vetting = {
    dryRun: true,
    catalog: { name: info.name, version: info.version },
    ...(info.tarDigest ? { tarDigest: info.tarDigest } : {}),
  };
  const vet = (gunzip: Gunzip, fed: Promise<void>) =>
    unpackInflating(gunzip, () => fed, info.layer.size, info.name, layout.root, vetting);
  try {
    if (await layout.exists(info.layer)) {
      // already cached (another tag, another pull): vetted again from the file
      tee?.started(layout.blobPath(info.layer.digest));
      tee?.wrote(info.layer.size);
      await unpackLayer(
        createReadStream(layout.blobPath(info.layer.digest)),
        info.layer.size,
        info.name,
        layout.root,
        vetting,
      );
    } else {
      // download, verify, write and vet in one pass (layer-pass.ts); a layer that
      // fails is never renamed into the cache
      const progress = ctx.progress;
      const pass = vettedLayer(remote.repo, info.layer, vet, tee ? (n) => tee.wrote(n) : undefined);
      const layer = tee
        ? {
            ...pass,
            toFile: async (path: string, onProgress?: (n: number) => void) => {
              tee.started(path);
              await pass.toFile!(path, onProgress);
            },
          }
        : pass;
      await layout.push(
        info.layer,
        layer,
        progress ? { onProgress: (n) => progress(info.layer.digest, n, info.layer.size) } : {},
      );
      tee?.started(layout.blobPath(info.layer.digest));
    }
    tee?.verified();
  } catch (e) {
    tee?.failed(e);
    throw e;
  }
  await options.before?.();
  await layout.push(m.descriptor, bufferSource(m.bytes), ref.tag ? { reference: ref.tag } : {});
  const previous = await ctx.cache.record({
    registry: ref.registry,
    repository: ref.repository,
    ...(ref.tag ? { tag: ref.tag } : {}),
    digest: m.descriptor.digest,
    name: info.name,
    version: info.version,
    form: info.form,
  });
  const updated = previous !== undefined && previous.digest !== m.descriptor.digest;
  return {
    reference: where,
    digest: m.descriptor.digest,
    name: info.name,
    version: info.version,
    form: info.form,
    updated,
    ...(updated ? { previousDigest: previous!.digest } : {}),
  };
}
