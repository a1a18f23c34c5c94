// A plain image for checks that need any manifest: the image config and one
// random layer pushed, the manifest encoded (not pushed: each check puts it as it
// asks, by digest, by tag, with tag parameters).
import { randomBytes } from 'node:crypto';
import { digestOf } from '../../../harness/oci/digest.ts';
import { encodeManifest } from '../../../harness/oci/manifest.ts';
import { OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import type { RemoteRepository } from '../../../harness/remote/repository.ts';
import { IMAGE_CONFIG, IMAGE_CONFIG_DESC } from './registry.ts';

export async function plainImage(r: RemoteRepository, layerBytes = 1024) {
  const data = randomBytes(layerBytes);
  const layer = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: digestOf(data),
    size: data.length,
  };
  await r.pushBlob(layer, bufferSource(data));
  await r.pushBlob(IMAGE_CONFIG_DESC, bufferSource(IMAGE_CONFIG));
  const bytes = encodeManifest({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: IMAGE_CONFIG_DESC,
    layers: [layer],
  });
  return { bytes, digest: digestOf(bytes), layer };
}
