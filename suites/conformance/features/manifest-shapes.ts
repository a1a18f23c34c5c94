// Manifest shapes the official OCI suite's data sets push (issue 13), each pushed
// by tag and read back byte for byte by tag and by digest, with HEAD by both giving
// its digest and size. Raw bytes are written, never re-encoded, so a registry that
// normalizes JSON (drops unknown fields, reorders keys) is caught. Shapes the spec
// only recommends (an artifactType, a subject that does not exist, 4 MiB) are
// `unsupported` when refused; the rest must be stored.
import { randomBytes } from 'node:crypto';
import { digestOf } from '../../../harness/oci/digest.ts';
import { EMPTY_JSON, OCI_INDEX, OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { pullScope, pushScope } from '../../../harness/remote/auth/scope.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import { drain, header, readBody } from '../../../harness/remote/http.ts';
import { manifestPath } from '../../../harness/remote/paths.ts';
import { isRegistryError } from '../../../harness/remote/registry-error.ts';
import type { RemoteRepository } from '../../../harness/remote/repository.ts';
import { excerpt, type Feature, type FeatureContext, fail, pass, unsupported } from '../feature.ts';
import { plainImage } from './plain-image.ts';
import { raw } from './raw.ts';
import { IMAGE_CONFIG, IMAGE_CONFIG_DESC } from './registry.ts';

interface Built {
  bytes: Buffer;
  mediaType: string;
}

const json = (o: unknown) => Buffer.from(JSON.stringify(o));

/** An image (plain config, one layer) pushed by digest; its descriptor. */
async function child(r: RemoteRepository) {
  const { bytes, digest } = await plainImage(r, 512);
  await r.putManifest(digest, bytes, OCI_MANIFEST);
  return { mediaType: OCI_MANIFEST, digest, size: bytes.length };
}

const SHAPES: Array<{
  name: string;
  title: string;
  optional: boolean;
  build: (r: RemoteRepository) => Promise<Built>;
}> = [
  {
    name: 'artifact-empty-config',
    title: 'an artifact: artifactType, the empty config, one layer',
    optional: true,
    async build(r) {
      await r.pushBlob(EMPTY_JSON, bufferSource(Buffer.from('{}')));
      const layer = randomBytes(256);
      const ld = { mediaType: 'application/vnd.example.thing', digest: digestOf(layer), size: layer.length };
      await r.pushBlob(ld, bufferSource(layer));
      return {
        mediaType: OCI_MANIFEST,
        bytes: json({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: 'application/vnd.example.thing',
          config: EMPTY_JSON,
          layers: [ld],
        }),
      };
    },
  },
  {
    name: 'no-layers',
    title: 'an image manifest with an empty layer list',
    optional: false,
    async build(r) {
      await r.pushBlob(IMAGE_CONFIG_DESC, bufferSource(IMAGE_CONFIG));
      return {
        mediaType: OCI_MANIFEST,
        bytes: json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: IMAGE_CONFIG_DESC, layers: [] }),
      };
    },
  },
  {
    name: 'empty-index',
    title: 'an index with no manifests',
    optional: false,
    async build() {
      return { mediaType: OCI_INDEX, bytes: json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }) };
    },
  },
  {
    name: 'nested-index',
    title: 'an index of an index of an image',
    optional: false,
    async build(r) {
      const inner = json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [await child(r)] });
      await r.putManifest(digestOf(inner), inner, OCI_INDEX);
      return {
        mediaType: OCI_INDEX,
        bytes: json({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [{ mediaType: OCI_INDEX, digest: digestOf(inner), size: inner.length }],
        }),
      };
    },
  },
  {
    name: 'artifact-index',
    title: 'an index with an artifactType',
    optional: true,
    async build(r) {
      return {
        mediaType: OCI_INDEX,
        bytes: json({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          artifactType: 'application/vnd.example.set',
          manifests: [await child(r)],
        }),
      };
    },
  },
  {
    name: 'index-subject',
    title: 'an index with a subject',
    optional: true,
    async build(r) {
      const subject = await child(r);
      return {
        mediaType: OCI_INDEX,
        bytes: json({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          artifactType: 'application/vnd.example.set',
          manifests: [await child(r)],
          subject,
        }),
      };
    },
  },
  {
    name: 'missing-subject',
    title: 'a manifest whose subject the registry does not have',
    optional: true,
    async build(r) {
      await r.pushBlob(EMPTY_JSON, bufferSource(Buffer.from('{}')));
      const ghost = randomBytes(64);
      return {
        mediaType: OCI_MANIFEST,
        bytes: json({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: 'application/vnd.example.sig',
          config: EMPTY_JSON,
          layers: [EMPTY_JSON],
          subject: { mediaType: OCI_MANIFEST, digest: digestOf(ghost), size: ghost.length },
        }),
      };
    },
  },
  {
    name: 'custom-fields',
    title: 'fields beyond the spec, kept byte for byte',
    optional: false,
    async build(r) {
      await r.pushBlob(IMAGE_CONFIG_DESC, bufferSource(IMAGE_CONFIG));
      // key order and spacing of our own: a registry must store the bytes it was given
      const text = `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","x-custom":{"z":1,"a":[true,null]},"config":${JSON.stringify({ ...IMAGE_CONFIG_DESC, 'x-note': 'kept' })},  "layers":[]}`;
      return { mediaType: OCI_MANIFEST, bytes: Buffer.from(text) };
    },
  },
  {
    name: 'data-field',
    title: 'a descriptor carrying its content in data',
    optional: false,
    async build(r) {
      await r.pushBlob(IMAGE_CONFIG_DESC, bufferSource(IMAGE_CONFIG));
      return {
        mediaType: OCI_MANIFEST,
        bytes: json({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { ...IMAGE_CONFIG_DESC, data: IMAGE_CONFIG.toString('base64') },
          layers: [],
        }),
      };
    },
  },
  {
    name: 'large-4mib',
    title: 'a manifest just under 4 MiB (registries SHOULD take at least 4 MiB)',
    optional: true,
    async build(r) {
      await r.pushBlob(IMAGE_CONFIG_DESC, bufferSource(IMAGE_CONFIG));
      const base = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: IMAGE_CONFIG_DESC,
        layers: [],
        annotations: { pad: '' },
      };
      const room = 4 * 1024 * 1024 - 1024 - json(base).length;
      return { mediaType: OCI_MANIFEST, bytes: json({ ...base, annotations: { pad: 'x'.repeat(room) } }) };
    },
  },
];

async function check(ctx: FeatureContext, shape: (typeof SHAPES)[number]) {
  const repo = ctx.fresh(`shape-${shape.name}`);
  const r = ctx.repo(repo);
  let built: Built;
  try {
    built = await shape.build(r);
  } catch (e) {
    // a blob the shape needs refused (GAR and the empty config): the shape cannot be stored
    if (isRegistryError(e) && e.status >= 400 && e.status < 500 && e.status !== 401)
      return shape.optional
        ? unsupported(`a blob it needs was refused: ${e.message}`)
        : fail(`a blob it needs was refused: ${e.message}`);
    throw e;
  }
  const { bytes, mediaType } = built;
  const digest = digestOf(bytes);
  const put = await raw(ctx, 'PUT', manifestPath(repo, 'v1'), [pushScope(repo)], {
    headers: { 'content-type': mediaType },
    body: bytes,
  });
  const answer = excerpt(ctx, (await readBody(put, 64 * 1024)).toString(), 160);
  if (put.status >= 400 && put.status < 500 && shape.optional)
    return unsupported(`refused with ${put.status} ${answer}`.trim());
  if (put.status !== 201) return fail(`PUT of ${shape.title} answered ${put.status} ${answer}`.trim());
  for (const ref of ['v1', digest]) {
    const get = await raw(ctx, 'GET', manifestPath(repo, ref), [pullScope(repo)], {
      headers: { accept: mediaType },
    });
    const back = await readBody(get, 8 * 1024 * 1024);
    if (get.status !== 200) return fail(`GET by ${ref === 'v1' ? 'tag' : 'digest'} answered ${get.status}`);
    if (!back.equals(bytes))
      return fail(
        `GET by ${ref === 'v1' ? 'tag' : 'digest'} gives other bytes (${back.length} for ${bytes.length}): the registry rewrote the manifest`,
      );
    const head = await raw(ctx, 'HEAD', manifestPath(repo, ref), [pullScope(repo)], {
      headers: { accept: mediaType },
    });
    await drain(head);
    if (head.status !== 200)
      return fail(`HEAD by ${ref === 'v1' ? 'tag' : 'digest'} answered ${head.status}`);
    const said = header(head, 'docker-content-digest');
    if (said !== undefined && said !== digest)
      return fail(`HEAD says Docker-Content-Digest ${said}, not ${digest}`);
    const len = header(head, 'content-length');
    if (len !== undefined && Number(len) !== bytes.length)
      return fail(`HEAD says Content-Length ${len}, not ${bytes.length}`);
  }
  return pass(`${bytes.length} bytes, by tag and by digest`);
}

export const manifestShapeFeatures: Feature[] = SHAPES.map((shape) => ({
  id: `manifest.shape.${shape.name}`,
  title: `Stored byte for byte and read back by tag and digest: ${shape.title}`,
  area: 'manifest',
  optional: shape.optional,
  run: (ctx) => check(ctx, shape),
}));
