// A catalog as a hostile registry would serve it: the layer's bytes as given,
// under a kubara manifest for `name:version` (its annotations say so, whatever the
// layer holds). For the suites that pull what ocicat would never make.
import { tarDigestOf } from '../../fixtures/evil-tar.ts';
import { buildArtifact, layerDescriptor } from '../../harness/catalog/artifact.ts';
import { digestOf } from '../../harness/oci/digest.ts';
import { OCI_MANIFEST } from '../../harness/oci/media-types.ts';
import { bufferSource } from '../../harness/remote/blob-source.ts';
import type { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';

/** Push `layer` as the catalog `evil/<name>:<version>`; returns its oci:// reference. */
export async function pushRawCatalog(
  client: RegistryClient,
  registry: string,
  name: string,
  layer: Buffer,
  options: { sizeClaim?: number; version?: string; annotations?: Record<string, string> } = {},
): Promise<string> {
  const version = options.version ?? '1.0.0';
  const repo = new RemoteRepository(client, { registry, repository: `evil/${name}` });
  const ld = layerDescriptor(name, digestOf(layer), options.sizeClaim ?? layer.length, tarDigestOf(layer));
  await repo.pushBlob({ digest: ld.digest, size: layer.length }, bufferSource(layer));
  const built = buildArtifact(
    { name, version, ...(options.annotations ? { annotations: options.annotations } : {}) },
    ld,
    'kubara',
  );
  await repo.pushBlob(built.config.descriptor, bufferSource(built.config.bytes));
  await repo.putManifest(version, built.manifest, OCI_MANIFEST);
  return `oci://${registry}/evil/${name}:${version}`;
}
