// Manifest and index models with validation: image-spec manifest.md,
// image-index.md and descriptor.md (v1.1).
import { OcicatError } from '../errors.ts';
import { parseDigest } from './digest.ts';
import { MAX_PULL_MANIFEST_BYTES } from './limits.ts';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  isIndexMediaType,
  OCI_ARTIFACT_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types.ts';

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  artifactType?: string;
  platform?: Platform;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; manifest: ImageIndex };

function bad(where: string, why: string): OcicatError {
  return new OcicatError('INVALID_MANIFEST', `invalid manifest: ${where} ${why}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkAnnotations(v: unknown, where: string): void {
  if (v === undefined) return;
  if (!isObject(v)) throw bad(where, 'must be an object of strings');
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw bad(`${where}["${k}"]`, 'must be a string');
  }
}

export function validateDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw bad(where, 'must be an object');
  if (typeof v.mediaType !== 'string' || v.mediaType === '') throw bad(`${where}.mediaType`, 'is required');
  if (typeof v.digest !== 'string') throw bad(`${where}.digest`, 'is required');
  try {
    parseDigest(v.digest);
  } catch (e) {
    throw bad(`${where}.digest`, (e as Error).message);
  }
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) {
    throw bad(`${where}.size`, 'must be a non-negative integer');
  }
  if (v.urls !== undefined && !(Array.isArray(v.urls) && v.urls.every((u) => typeof u === 'string'))) {
    throw bad(`${where}.urls`, 'must be an array of strings');
  }
  checkAnnotations(v.annotations, `${where}.annotations`);
  if (v.data !== undefined) {
    if (typeof v.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v.data)) {
      throw bad(`${where}.data`, 'must be base64');
    }
    if (Buffer.from(v.data, 'base64').length !== v.size) throw bad(`${where}.data`, 'does not match size');
  }
  if (v.artifactType !== undefined && typeof v.artifactType !== 'string') {
    throw bad(`${where}.artifactType`, 'must be a string');
  }
  return v as unknown as Descriptor;
}

/**
 * Parse manifest bytes. The media type comes from the body's `mediaType`, then the
 * Content-Type the registry sent, then the shape of the document.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  if (bytes.length > MAX_PULL_MANIFEST_BYTES) {
    throw new OcicatError(
      'MANIFEST_TOO_LARGE',
      `manifest of ${bytes.length} bytes exceeds ${MAX_PULL_MANIFEST_BYTES} bytes`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new OcicatError('INVALID_MANIFEST', `invalid manifest: not JSON (${(e as Error).message})`);
  }
  if (!isObject(doc)) throw bad('document', 'must be a JSON object');
  if (doc.schemaVersion !== 2) throw bad('schemaVersion', 'must be 2');
  const header = contentType?.split(';')[0]?.trim();
  let mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (doc.mediaType !== undefined && typeof doc.mediaType !== 'string')
    throw bad('mediaType', 'must be a string');
  if (mediaType === OCI_ARTIFACT_MANIFEST)
    throw bad('mediaType', `${OCI_ARTIFACT_MANIFEST} is not supported`);
  mediaType ??= header && header !== 'application/json' ? header : undefined;
  mediaType ??= Array.isArray(doc.manifests) ? OCI_INDEX : OCI_MANIFEST;
  checkAnnotations(doc.annotations, 'annotations');
  if (doc.artifactType !== undefined && typeof doc.artifactType !== 'string') {
    throw bad('artifactType', 'must be a string');
  }
  if (doc.subject !== undefined) validateDescriptor(doc.subject, 'subject');

  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw bad('manifests', 'is required in an index');
    doc.manifests.forEach((d, i) => {
      validateDescriptor(d, `manifests[${i}]`);
    });
    return { kind: 'index', mediaType, manifest: doc as unknown as ImageIndex };
  }
  if (mediaType !== OCI_MANIFEST && mediaType !== DOCKER_MANIFEST) {
    throw bad('mediaType', `"${mediaType}" is not a manifest media type`);
  }
  validateDescriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) throw bad('layers', 'is required');
  doc.layers.forEach((d, i) => {
    validateDescriptor(d, `layers[${i}]`);
  });
  return { kind: 'manifest', mediaType, manifest: doc as unknown as ImageManifest };
}

/** What a manifest points at, in the order a copy must push them (oras-go "successors"). */
export function successors(parsed: ParsedManifest): Descriptor[] {
  const out: Descriptor[] = [];
  if (parsed.manifest.subject) out.push(parsed.manifest.subject);
  if (parsed.kind === 'index') out.push(...parsed.manifest.manifests);
  else out.push(parsed.manifest.config, ...parsed.manifest.layers);
  return out;
}

export function isManifestDescriptor(d: Descriptor): boolean {
  return (
    d.mediaType === OCI_MANIFEST ||
    d.mediaType === OCI_INDEX ||
    d.mediaType === DOCKER_MANIFEST ||
    d.mediaType === DOCKER_MANIFEST_LIST
  );
}

/** Canonical bytes for a manifest we build (no whitespace; key order as given). */
export function encodeManifest(m: ImageManifest | ImageIndex): Buffer {
  return Buffer.from(JSON.stringify(m), 'utf8');
}
