import { describe, expect, it } from 'vitest';
import { digestOf } from './digest.ts';
import { parseManifest, successors } from './manifest.ts';
import { DOCKER_MANIFEST_LIST, EMPTY_JSON, OCI_INDEX, OCI_MANIFEST } from './media-types.ts';

const layer = { mediaType: 'application/octet-stream', digest: digestOf('x'), size: 1 };
const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY_JSON, layers: [layer] };
const enc = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('parseManifest', () => {
  it('reads an image manifest and lists its successors', () => {
    const p = parseManifest(enc(manifest));
    expect(p.kind).toBe('manifest');
    expect(successors(p).map((d) => d.digest)).toEqual([EMPTY_JSON.digest, layer.digest]);
  });

  it('takes the media type from the header, then the shape', () => {
    const { mediaType: _, ...noType } = manifest;
    expect(parseManifest(enc(noType), `${OCI_MANIFEST}; charset=utf-8`).mediaType).toBe(OCI_MANIFEST);
    expect(parseManifest(enc({ schemaVersion: 2, manifests: [] })).mediaType).toBe(OCI_INDEX);
    expect(parseManifest(enc({ schemaVersion: 2, manifests: [] }), DOCKER_MANIFEST_LIST).kind).toBe('index');
  });

  it.each([
    ['not json', '{', /not JSON/],
    ['an array', '[]', /JSON object/],
    ['schemaVersion 1', enc({ ...manifest, schemaVersion: 1 }), /schemaVersion/],
    ['no config', enc({ ...manifest, config: undefined }), /config must be an object/],
    ['bad digest', enc({ ...manifest, layers: [{ ...layer, digest: 'sha256:zz' }] }), /layers\[0\]\.digest/],
    ['negative size', enc({ ...manifest, layers: [{ ...layer, size: -1 }] }), /size/],
    ['fractional size', enc({ ...manifest, layers: [{ ...layer, size: 1.5 }] }), /size/],
    ['data not matching size', enc({ ...manifest, config: { ...EMPTY_JSON, data: 'e30K' } }), /data/],
    ['annotation not a string', enc({ ...manifest, annotations: { a: 1 } }), /annotations/],
    ['unknown media type', enc({ ...manifest, mediaType: 'text/plain' }), /not a manifest media type/],
    [
      'artifact manifest',
      enc({ ...manifest, mediaType: 'application/vnd.oci.artifact.manifest.v1+json' }),
      /not supported/,
    ],
    ['index without manifests', enc({ schemaVersion: 2, mediaType: OCI_INDEX }), /manifests/],
  ])('rejects %s', (_name, bytes, msg) => {
    expect(() => parseManifest(typeof bytes === 'string' ? Buffer.from(bytes) : bytes)).toThrow(msg);
  });

  it('refuses manifests over the pull limit', () => {
    expect(() => parseManifest(Buffer.alloc(8 * 1024 * 1024 + 1, 32))).toThrow(/exceeds/);
  });
});
