// Artifact profiles beyond catalogs, so the matrix answers "can this registry
// host X": a Helm chart (helm's OCI media types) and a multi-layer package with
// an image index at the tag (the way Zarf publishes).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copy } from '../../../harness/content/copy.ts';
import { MemoryTarget } from '../../../harness/content/memory.ts';
import { RemoteTarget } from '../../../harness/content/remote-target.ts';
import { digestOf } from '../../../harness/oci/digest.ts';
import { type Descriptor, encodeManifest } from '../../../harness/oci/manifest.ts';
import { OCI_INDEX, OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { artifactRefusal } from '../../../harness/ops/refusal.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import { findTool } from '../../../registries/tools.ts';
import { expectThat, type Feature, type FeatureContext, fail, pass, skip, unsupported } from '../feature.ts';
import { peerEnv, peerFailure, run } from './interop.ts';

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

/**
 * A Helm chart with the real helm `binary` (Helm 3 and Helm 4 each have a row: a
 * difference between them against a registry is a finding for the report).
 */
function helmChart(id: string, binary: string, label: string): Feature {
  return {
    id,
    title: `A Helm chart: the real ${label} packages and pushes it, ocicat reads and promotes it, ${label} pulls the copy`,
    area: 'artifact',
    optional: true,
    async run(ctx) {
      const helm = await findTool(binary);
      if (!helm) return skip(`${label} is not installed (npm run setup builds it)`);
      const env = await peerEnv(ctx);
      const dir = await mkdtemp(join(ctx.tmp, 'helm-'));
      const tls = ctx.target.plainHttp
        ? ['--plain-http']
        : ctx.target.caFile
          ? ['--ca-file', ctx.target.caFile]
          : ctx.target.insecure
            ? ['--insecure-skip-tls-verify']
            : [];
      await run(helm, ['create', 'pet-store'], { env, cwd: dir });
      await run(helm, ['package', 'pet-store'], { env, cwd: dir });
      const base = ctx.fresh(binary);
      ctx.track(`${base}/pet-store`);
      try {
        await run(helm, ['push', 'pet-store-0.1.0.tgz', `oci://${ctx.target.host}/${base}`, ...tls], {
          env,
          cwd: dir,
        });
      } catch (e) {
        const out = peerFailure(label, e);
        return out.status === 'unsupported' ? out : fail(out.detail);
      }
      // ocicat reads what helm pushed, and promotes it to another repository
      const src = new RemoteTarget(ctx.client, {
        registry: ctx.target.host,
        repository: `${base}/pet-store`,
      });
      const root = await src.repo.getManifest('0.1.0');
      const m = root.parsed.manifest as { config: Descriptor; layers: Descriptor[] };
      expectThat(m.config.mediaType === HELM_CONFIG, `helm's config is ${m.config.mediaType}`);
      expectThat(m.layers[0]?.mediaType === HELM_CHART, `helm's chart layer is ${m.layers[0]?.mediaType}`);
      const copied = `${ctx.fresh('helm-promoted')}/pet-store`;
      await copy(
        src,
        '0.1.0',
        new RemoteTarget(ctx.client, { registry: ctx.target.host, repository: copied }),
        '0.1.0',
      );
      // helm pulls and reads the copy
      const ref = `oci://${ctx.target.host}/${copied}`;
      await mkdir(join(dir, 'out'));
      try {
        await run(helm, ['pull', ref, '--version', '0.1.0', '-d', join(dir, 'out'), ...tls], { env });
      } catch (e) {
        return peerFailure(`${label} pull of the copy`, e);
      }
      const tgz = await readFile(join(dir, 'out', 'pet-store-0.1.0.tgz'));
      expectThat(digestOf(tgz) === m.layers[0]!.digest, 'helm pulled other chart bytes from the copy');
      const shown = (
        await run(helm, ['show', 'chart', ref, '--version', '0.1.0', ...tls], { env })
      ).stdout.toString();
      expectThat(/name: pet-store/.test(shown), 'helm show chart does not show the chart');
      return pass(`${label} push, ocicat read and promote, ${label} pull and show of the copy`);
    },
  };
}

export const artifactFeatures: Feature[] = [
  helmChart('artifact.helm-chart', 'helm', 'helm 3'),
  helmChart('artifact.helm4-chart', 'helm4', 'helm 4'),
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
