// The catalog artifact (DESIGN "Catalog format"). Two forms, pull accepts both:
// - kubara: image manifest, artifactType application/vnd.kubara.catalog.v1, the
//   empty config, one layer;
// - fallback, for registries that refuse artifactType or the empty config (GAR,
//   Quay, GitLab in REGISTRY-FACTS): no artifactType, a small JSON config of its
//   own media type.
import { OcicatError } from '../errors.ts';
import { digestOf } from '../oci/digest.ts';
import { type Descriptor, encodeManifest, type ImageManifest, type ParsedManifest } from '../oci/manifest.ts';
import { EMPTY_JSON, OCI_MANIFEST } from '../oci/media-types.ts';
import type { Catalog } from './model.ts';
import { versionProblem } from './version.ts';

export const ARTIFACT_TYPE = 'application/vnd.kubara.catalog.v1';
export const LAYER_MEDIA_TYPE = 'application/vnd.kubara.catalog.layer.v1.tar+gzip';
export const FALLBACK_CONFIG_MEDIA_TYPE = 'application/vnd.kubara.catalog.config.v1+json';
export const ANNOTATION_NAME = 'io.kubara.catalog.name';
export const ANNOTATION_VERSION = 'io.kubara.catalog.version';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
/**
 * oras-go's file store, which kubara pulls through (and the oras CLI too), unpacks
 * a layer only with `unpack: "true"`, then checks the gunzipped bytes against
 * `content.digest` ("content digest mismatch"). Without them it writes the
 * .tar.gz as a file and kubara fails: "expected packaged catalog to extract into
 * a single root directory" (kubara vectors README, "Pull").
 */
export const ANNOTATION_CONTENT_DIGEST = 'io.deis.oras.content.digest';
export const ANNOTATION_UNPACK = 'io.deis.oras.content.unpack';
/** Fixed so that the same content gives the same digest. */
export const CREATED = '1970-01-01T00:00:00Z';

export type Form = 'kubara' | 'fallback';

export interface BuiltArtifact {
  manifest: Buffer;
  descriptor: Descriptor;
  /** The config blob (the empty JSON for the kubara form). */
  config: { descriptor: Descriptor; bytes: Buffer };
}

/** The layer as kubara describes it; `tarDigest` is the sha256 of the gunzipped tar. */
export function layerDescriptor(name: string, digest: string, size: number, tarDigest: string): Descriptor {
  return {
    mediaType: LAYER_MEDIA_TYPE,
    digest,
    size,
    annotations: {
      [ANNOTATION_CONTENT_DIGEST]: tarDigest,
      [ANNOTATION_UNPACK]: 'true',
      [ANNOTATION_TITLE]: name,
    },
  };
}

/** Keys in byte order, as Go's encoding/json writes a map (kubara's manifests). */
function sorted(a: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

function annotations(
  name: string,
  version: string,
  user: Record<string, string> | undefined,
): Record<string, string> {
  return sorted({
    ...(user ?? {}),
    [ANNOTATION_NAME]: name,
    [ANNOTATION_VERSION]: version,
    [ANNOTATION_CREATED]: CREATED,
  });
}

export function buildArtifact(
  meta: { name: string; version: string; annotations?: Record<string, string> },
  layer: Descriptor,
  form: Form,
): BuiltArtifact {
  let config: BuiltArtifact['config'];
  let m: ImageManifest;
  if (form === 'kubara') {
    config = { descriptor: { ...EMPTY_JSON }, bytes: Buffer.from('{}') };
    m = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: ARTIFACT_TYPE,
      config: config.descriptor,
      layers: [layer],
      annotations: annotations(meta.name, meta.version, meta.annotations),
    };
  } else {
    const bytes = Buffer.from(JSON.stringify({ name: meta.name, version: meta.version }));
    config = {
      descriptor: { mediaType: FALLBACK_CONFIG_MEDIA_TYPE, digest: digestOf(bytes), size: bytes.length },
      bytes,
    };
    m = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: config.descriptor,
      layers: [layer],
      annotations: annotations(meta.name, meta.version, meta.annotations),
    };
  }
  const manifest = encodeManifest(m);
  return {
    manifest,
    descriptor: { mediaType: OCI_MANIFEST, digest: digestOf(manifest), size: manifest.length },
    config,
  };
}

export function metaOf(c: Catalog): { name: string; version: string; annotations?: Record<string, string> } {
  return {
    name: c.metadata.name,
    version: c.spec.version,
    ...(c.metadata.annotations ? { annotations: c.metadata.annotations } : {}),
  };
}

export interface CatalogInfo {
  name: string;
  version: string;
  form: Form;
  layer: Descriptor;
  config: Descriptor;
  annotations: Record<string, string>;
  /** The layer's io.deis.oras.content.digest, where it has one: what the gunzipped tar must hash to. */
  tarDigest?: string;
}

/** Read a manifest as a catalog artifact, in either form, or say why it is not one. */
export function readArtifact(parsed: ParsedManifest, where: string): CatalogInfo {
  const notCatalog = (why: string) => new OcicatError('NOT_A_CATALOG', `${where} is not a catalog: ${why}`);
  if (parsed.kind !== 'manifest') throw notCatalog('it is an index, not an image manifest');
  const m = parsed.manifest;
  let form: Form;
  if (m.artifactType === ARTIFACT_TYPE) form = 'kubara';
  else if (m.config.mediaType === FALLBACK_CONFIG_MEDIA_TYPE) form = 'fallback';
  else
    throw notCatalog(
      `artifactType ${JSON.stringify(m.artifactType ?? null)} and config ${m.config.mediaType}`,
    );
  if (m.layers.length !== 1) throw notCatalog(`it has ${m.layers.length} layers, a catalog has one`);
  const layer = m.layers[0]!;
  if (layer.mediaType !== LAYER_MEDIA_TYPE) throw notCatalog(`its layer is ${layer.mediaType}`);
  const a = m.annotations ?? {};
  const name = a[ANNOTATION_NAME];
  const version = a[ANNOTATION_VERSION];
  if (!name) throw notCatalog(`annotation ${ANNOTATION_NAME} is missing`);
  if (versionProblem(version))
    throw notCatalog(
      `annotation ${ANNOTATION_VERSION} ${JSON.stringify(version ?? null)} ${versionProblem(version)}`,
    );
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name))
    throw notCatalog(`name "${name}" is not an RFC 1123 label`);
  const tarDigest = layer.annotations?.[ANNOTATION_CONTENT_DIGEST];
  return {
    name,
    version: version!,
    form,
    layer,
    config: m.config,
    annotations: a,
    ...(tarDigest !== undefined ? { tarDigest } : {}),
  };
}
