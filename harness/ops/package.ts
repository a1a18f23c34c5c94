// package: a catalog directory -> the cache, as oci://<base>/<name>:<version>.
// The catalog is validated by kubara's loader rules first (validate.ts): an
// invalid one is refused before anything is cached. The layer and the manifest
// are deterministic: the same directory gives the same digest on any machine.

import { buildArtifact, LAYER_MEDIA_TYPE, layerDescriptor, metaOf } from '../catalog/artifact.ts';
import { packTree } from '../catalog/pack.ts';
import { validateCatalog } from '../catalog/validate.ts';
import { OcicatError } from '../errors.ts';
import {
  formatReference,
  isValidRepository,
  parseRegistry,
  type Reference,
  SCHEME,
} from '../oci/reference.ts';
import { bufferSource } from '../remote/blob-source.ts';
import type { OpsContext } from './context.ts';

/** oci://host[:port]/base/ + name + version -> oci://host[:port]/base/name:version */
export function packageReference(base: string, name: string, version: string): Reference {
  const usage = (why: string) =>
    new OcicatError('USAGE', `package destination "${base}" ${why}`, {
      hint: 'expected oci://host[:port]/base/ (the catalog name and version are added)',
    });
  if (!base.startsWith(SCHEME)) throw usage('must start with oci://');
  const rest = base.slice(SCHEME.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  const host = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  if (path.includes(':') || path.includes('@'))
    throw usage('must not carry a tag or digest: the tag is the catalog version');
  let registry: string;
  try {
    registry = parseRegistry(host, base);
  } catch (e) {
    throw usage((e as Error).message);
  }
  const repository = path ? `${path}/${name}` : name;
  if (!isValidRepository(repository)) throw usage(`gives the invalid repository "${repository}"`);
  return { registry, repository, tag: version };
}

export interface PackageResult {
  reference: string;
  digest: string;
  name: string;
  version: string;
  layerSize: number;
  /** What kubara could not consume (validate.ts); the package is made all the same. */
  warnings: string[];
}

export async function packageCatalog(ctx: OpsContext, workDir: string, base: string): Promise<PackageResult> {
  const { catalog, warnings } = await validateCatalog(workDir);
  const meta = metaOf(catalog);
  const ref = packageReference(base, meta.name, meta.version);
  const layout = await ctx.cache.layout(ref.registry, ref.repository);
  const progress = ctx.progress;
  const packed = await packTree(
    workDir,
    meta.name,
    progress ? (bytes, total, n) => progress(`packing ${meta.name} (${n} entries)`, bytes, total) : undefined,
  );
  const blob = await layout.ingest(packed.stream, LAYER_MEDIA_TYPE);
  const built = buildArtifact(
    meta,
    layerDescriptor(meta.name, blob.digest, blob.size, packed.tarDigest()),
    'kubara',
  );
  await layout.push(built.config.descriptor, bufferSource(built.config.bytes));
  await layout.push(built.descriptor, bufferSource(built.manifest), { reference: meta.version });
  const cached = await ctx.cache.find(ref);
  if (cached && cached.digest !== built.descriptor.digest)
    warnings.push(
      `${formatReference(ref)} was cached as ${cached.digest} and now holds ${built.descriptor.digest}: the content changed under version ${meta.version} (bump spec.version for a new release)`,
    );
  await ctx.cache.record({
    registry: ref.registry,
    repository: ref.repository,
    tag: meta.version,
    digest: built.descriptor.digest,
    name: meta.name,
    version: meta.version,
    form: 'kubara',
  });
  return {
    reference: formatReference(ref),
    digest: built.descriptor.digest,
    name: meta.name,
    version: meta.version,
    layerSize: blob.size,
    warnings,
  };
}
