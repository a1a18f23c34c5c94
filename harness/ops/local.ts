// The cache-only operations: list, unpackage, inspect (local or --remote).
import { createReadStream } from 'node:fs';
import { type CatalogInfo, readArtifact } from '../catalog/artifact.ts';
import { entryReference } from '../catalog/cache.ts';
import { unpackLayer } from '../catalog/unpack.ts';
import { RemoteTarget } from '../content/remote-target.ts';
import { readAll } from '../content/target.ts';
import { OcicatError } from '../errors.ts';
import { MAX_PULL_MANIFEST_BYTES } from '../oci/limits.ts';
import { type Descriptor, parseManifest } from '../oci/manifest.ts';
import { formatReference, parseReference } from '../oci/reference.ts';
import type { OpsContext } from './context.ts';
import { cachedEntry } from './push.ts';

export interface ListItem {
  name: string;
  version: string;
  reference: string;
  digest: string;
}

export async function listCatalogs(ctx: OpsContext): Promise<ListItem[]> {
  return (await ctx.cache.entries()).map((e) => ({
    name: e.name,
    version: e.version,
    reference: entryReference(e),
    digest: e.digest,
  }));
}

async function cachedArtifact(
  ctx: OpsContext,
  input: string,
): Promise<{ info: CatalogInfo; root: Descriptor; layoutBlob: (d: string) => string; reference: string }> {
  const ref = parseReference(input);
  if (!ref.tag && !ref.digest) throw new OcicatError('USAGE', `${input} needs a tag or a digest`);
  const entry = await cachedEntry(ctx, ref, 'use');
  const layout = await ctx.cache.layout(entry.registry, entry.repository);
  const root = await layout.resolve(entry.digest);
  const info = readArtifact(
    parseManifest(await readAll(await layout.fetch(root), MAX_PULL_MANIFEST_BYTES), root.mediaType),
    formatReference(ref),
  );
  return { info, root, layoutBlob: (d) => layout.blobPath(d), reference: formatReference(ref) };
}

export async function unpackageCatalog(
  ctx: OpsContext,
  input: string,
  dir: string,
): Promise<{ directory: string; name: string; version: string; entries: number }> {
  const { info, layoutBlob } = await cachedArtifact(ctx, input);
  const r = await unpackLayer(
    createReadStream(layoutBlob(info.layer.digest)),
    info.layer.size,
    info.name,
    dir,
    {
      catalog: { name: info.name, version: info.version },
      ...(info.tarDigest ? { tarDigest: info.tarDigest } : {}),
    },
  );
  return { directory: dir, name: info.name, version: info.version, entries: r.entries };
}

export interface InspectResult {
  reference: string;
  source: 'cache' | 'remote';
  digest: string;
  mediaType: string;
  size: number;
  form: CatalogInfo['form'];
  name: string;
  version: string;
  layer: Descriptor;
  config: Descriptor;
  annotations: Record<string, string>;
}

export async function inspectCatalog(
  ctx: OpsContext,
  input: string,
  options: { remote?: boolean } = {},
): Promise<InspectResult> {
  if (options.remote) {
    const ref = parseReference(input);
    if (!ref.tag && !ref.digest) throw new OcicatError('USAGE', `${input} needs a tag or a digest`);
    const m = await new RemoteTarget(ctx.client, ref).repo.getManifest(ref.digest ?? ref.tag!);
    const info = readArtifact(m.parsed, formatReference(ref));
    return { reference: formatReference(ref), source: 'remote', ...describe(m.descriptor, info) };
  }
  const { info, root, reference } = await cachedArtifact(ctx, input);
  return { reference, source: 'cache', ...describe(root, info) };
}

function describe(root: Descriptor, info: CatalogInfo) {
  return {
    digest: root.digest,
    mediaType: root.mediaType,
    size: root.size,
    form: info.form,
    name: info.name,
    version: info.version,
    layer: info.layer,
    config: info.config,
    annotations: info.annotations,
  };
}
