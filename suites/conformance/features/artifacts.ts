// Artifact profiles beyond catalogs, so the matrix answers "can this registry
// host X": a Helm chart (helm's OCI media types) and a multi-layer package with
// an image index at the tag (the way Zarf publishes).
import { randomBytes } from 'node:crypto';
import { copy } from '../../../harness/content/copy.ts';
import { MemoryTarget } from '../../../harness/content/memory.ts';
import { RemoteTarget } from '../../../harness/content/remote-target.ts';
import { digestOf } from '../../../harness/oci/digest.ts';
import { type Descriptor, encodeManifest } from '../../../harness/oci/manifest.ts';
import { OCI_INDEX, OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { artifactRefusal } from '../../../harness/ops/refusal.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import { expectThat, type Feature, type FeatureContext, pass, unsupported } from '../feature.ts';

export const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

function blob(mediaType: string, bytes: Buffer): { desc: Descriptor; bytes: Buffer } {
  return { desc: { mediaType, digest: digestOf(bytes), size: bytes.length }, bytes };
}

/** Push a graph into memory, copy it to the registry, and read it back whole. */
async function roundTrip(ctx: FeatureContext, mem: MemoryTarget, tag: string): Promise<number> {
  const dst = new RemoteTarget(ctx.client, { registry: ctx.target.host, repository: ctx.fresh('artifact') });
  await copy(mem, tag, dst, tag);
  const back = new MemoryTarget('back');
  const r = await copy(dst, tag, back, tag);
  expectThat(
    (await back.resolve(tag)).digest === (await mem.resolve(tag)).digest,
    'the root read back differs',
  );
  return r.copied;
}

export const artifactFeatures: Feature[] = [
  {
    id: 'artifact.helm-chart',
    title: 'A Helm chart (helm OCI config and chart layer media types)',
    area: 'artifact',
    optional: true,
    async run(ctx) {
      const mem = new MemoryTarget();
      const config = blob(
        HELM_CONFIG,
        Buffer.from(JSON.stringify({ name: 'pet-store', version: '0.1.0', apiVersion: 'v2' })),
      );
      const chart = blob(HELM_CHART, randomBytes(4096));
      for (const b of [config, chart]) await mem.push(b.desc, bufferSource(b.bytes));
      const m = encodeManifest({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: config.desc,
        layers: [chart.desc],
        annotations: { 'org.opencontainers.image.title': 'pet-store' },
      });
      await mem.push({ mediaType: OCI_MANIFEST, digest: digestOf(m), size: m.length }, bufferSource(m), {
        reference: '0.1.0',
      });
      try {
        await roundTrip(ctx, mem, '0.1.0');
      } catch (e) {
        const why = artifactRefusal(e);
        if (why) return unsupported(`refused (${why})`);
        throw e;
      }
      return pass();
    },
  },
  {
    id: 'artifact.multi-layer-index',
    title: 'A multi-layer package with an image index at the tag (Zarf-style)',
    area: 'artifact',
    optional: true,
    async run(ctx) {
      const mem = new MemoryTarget();
      const manifests: Descriptor[] = [];
      for (const arch of ['amd64', 'arm64']) {
        const config = blob(
          'application/vnd.oci.image.config.v1+json',
          Buffer.from(
            JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
          ),
        );
        const layers = [1, 2, 3].map(() =>
          blob('application/vnd.oci.image.layer.v1.tar+gzip', randomBytes(2048)),
        );
        for (const b of [config, ...layers]) await mem.push(b.desc, bufferSource(b.bytes));
        const m = encodeManifest({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: config.desc,
          layers: layers.map((l) => l.desc),
        });
        const d: Descriptor = {
          mediaType: OCI_MANIFEST,
          digest: digestOf(m),
          size: m.length,
          platform: { architecture: arch, os: 'linux' },
        };
        await mem.push(d, bufferSource(m));
        manifests.push(d);
      }
      const ix = encodeManifest({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests,
        annotations: { 'dev.zarf.package': 'ocicat-probe' },
      });
      await mem.push({ mediaType: OCI_INDEX, digest: digestOf(ix), size: ix.length }, bufferSource(ix), {
        reference: '1.0.0',
      });
      try {
        const n = await roundTrip(ctx, mem, '1.0.0');
        return pass(`${n} nodes read back`);
      } catch (e) {
        const why = artifactRefusal(e);
        if (why) return unsupported(`refused (${why})`);
        throw e;
      }
    },
  },
];
