import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOcicatError } from '../errors.ts';
import { digestOf } from '../oci/digest.ts';
import { EMPTY_JSON, OCI_MANIFEST } from '../oci/media-types.ts';
import { mockRegistry, REGISTRY } from '../testing/mock-registry.ts';
import { downloadBlob } from './blob-read.ts';
import { bufferSource } from './blob-source.ts';
import { pushBlob, uploadChunked } from './blob-upload.ts';
import { getManifest } from './manifests.ts';

const blob = Buffer.from('0123456789');
const desc = { digest: digestOf(blob), size: blob.length };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-blobs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function repoOf(m: ReturnType<typeof mockRegistry>) {
  return { client: m.client, registry: REGISTRY, repository: 'a' };
}

describe('chunked upload', () => {
  it('honours OCI-Chunk-Min-Length, recovers from 416 and accepts 201 on PATCH', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: '/v2/a/blobs/uploads/', method: 'POST' }).reply(202, '', {
      headers: { location: '/up/1?_state=s', 'oci-chunk-min-length': '4' },
    });
    // Bytes are checked against a real registry in the integration tests; here, the protocol.
    const patch = (status: number, headers: Record<string, string>) =>
      p.intercept({ path: /^\/up\/1/, method: 'PATCH' }).reply((o) => {
        const h = m.record(o);
        expect(h['content-range']).toMatch(/^\d+-\d+$/);
        expect(h['content-length']).toBe(
          String(Number(h['content-range']!.split('-')[1]) - Number(h['content-range']!.split('-')[0]) + 1),
        );
        return { statusCode: status, data: '', responseOptions: { headers } };
      });
    patch(202, { location: '/up/1?_state=s2', range: '0-3' });
    patch(416, {});
    p.intercept({ path: '/up/1?_state=s2', method: 'GET' }).reply(204, '', {
      headers: { range: '0-3', location: '/up/1?_state=s3' },
    });
    patch(202, { location: '/up/1?_state=s4', range: '0-7' });
    patch(201, {}); // ECR: 201 and no Range
    p.intercept({ path: /^\/up\/1\?_state=s4&digest=/, method: 'PUT' }).reply((o) => {
      m.record(o);
      return {
        statusCode: 201,
        data: '',
        responseOptions: { headers: { 'docker-content-digest': desc.digest } },
      };
    });
    await uploadChunked(repoOf(m), desc, bufferSource(blob), { chunkSize: 3 });
    expect(m.requests.filter((r) => r.method === 'PATCH').map((r) => r.headers['content-range'])).toEqual([
      '0-3',
      '4-7',
      '4-7',
      '8-9',
    ]);
    expect(m.client.capabilities(REGISTRY).chunkMinLength).toBe(4);
  });

  it('starts a new session when the registry cannot say where the old one stands', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: '/v2/a/blobs/uploads/', method: 'POST' }).reply(202, '', {
      headers: { location: '/up/1' },
    });
    p.intercept({ path: '/up/1', method: 'PATCH' }).replyWithError(
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    );
    p.intercept({ path: '/up/1', method: 'GET' }).reply(404, '{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]}');
    p.intercept({ path: '/v2/a/blobs/uploads/', method: 'POST' }).reply(202, '', {
      headers: { location: '/up/2' },
    });
    p.intercept({ path: '/up/2', method: 'PATCH' }).reply(202, '', { headers: { range: '0-9' } });
    p.intercept({ path: /^\/up\/2\?digest=/, method: 'PUT' }).reply(201, '');
    await uploadChunked(repoOf(m), desc, bufferSource(blob), { chunkSize: 100 });
    expect(m.logs.some((l) => l.includes('starting a new session'))).toBe(true);
  });
});

describe('pushBlob', () => {
  it('falls back to chunks when a monolithic PUT is refused with 413 (ACR)', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: '/v2/a/blobs/uploads/', method: 'POST' })
      .reply(202, '', { headers: { location: '/up/1' } })
      .times(2);
    p.intercept({ path: /^\/up\/1\?digest=/, method: 'PUT' }).reply(
      413,
      '{"errors":[{"code":"SIZE_INVALID","message":"too big"}]}',
    );
    p.intercept({ path: '/up/1', method: 'PATCH' }).reply(202, '', { headers: { range: '0-9' } });
    p.intercept({ path: /^\/up\/1\?digest=/, method: 'PUT' }).reply(201, '');
    expect(await pushBlob(repoOf(m), desc, bufferSource(blob))).toEqual({ via: 'chunked' });
  });

  it('mounts, and uploads into the session a refused mount opens', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({
      path: `/v2/a/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=b`,
      method: 'POST',
    }).reply(201, '');
    expect(await pushBlob(repoOf(m), desc, bufferSource(blob), { mountFrom: 'b' })).toEqual({ via: 'mount' });
    p.intercept({
      path: `/v2/a/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=c`,
      method: 'POST',
    }).reply(202, '', { headers: { location: '/up/9' } });
    p.intercept({ path: /^\/up\/9\?digest=/, method: 'PUT' }).reply(201, '');
    expect(await pushBlob(repoOf(m), desc, bufferSource(blob), { mountFrom: 'c' })).toEqual({
      via: 'monolithic',
    });
    expect(m.client.capabilities(REGISTRY).mount).toBe(false);
  });

  it('refuses a source whose size is not the descriptor size', async () => {
    const m = mockRegistry();
    const err = await pushBlob(repoOf(m), { ...desc, size: 11 }, bufferSource(blob)).catch((e) => e);
    expect(isOcicatError(err, 'SIZE_MISMATCH')).toBe(true);
  });

  it('catches a registry that stored another digest', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: '/v2/a/blobs/uploads/', method: 'POST' }).reply(202, '', {
      headers: { location: '/up/1' },
    });
    p.intercept({ path: /^\/up\/1\?digest=/, method: 'PUT' }).reply(201, '', {
      headers: { 'docker-content-digest': digestOf('other') },
    });
    const err = await pushBlob(repoOf(m), desc, bufferSource(blob)).catch((e) => e);
    expect(isOcicatError(err, 'DIGEST_MISMATCH')).toBe(true);
  });
});

describe('downloads', () => {
  it('resumes a truncated body with Range and verifies the result', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: `/v2/a/blobs/${desc.digest}`, method: 'GET' }).reply(200, blob.subarray(0, 4));
    p.intercept({ path: `/v2/a/blobs/${desc.digest}`, method: 'GET', headers: { range: 'bytes=4-' } }).reply(
      206,
      blob.subarray(4),
      {
        headers: { 'content-range': 'bytes 4-9/10' },
      },
    );
    const out = join(dir, 'blob');
    await downloadBlob(repoOf(m), desc, out);
    expect(await readFile(out, 'utf8')).toBe('0123456789');
    expect(m.client.capabilities(REGISTRY).rangeGet).toBe(true);
  });

  it('skips what it has when the registry ignores Range', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: `/v2/a/blobs/${desc.digest}`, method: 'GET' }).reply(200, blob.subarray(0, 6));
    p.intercept({ path: `/v2/a/blobs/${desc.digest}`, method: 'GET' }).reply(200, blob);
    const out = join(dir, 'blob');
    await downloadBlob(repoOf(m), desc, out);
    expect(await readFile(out, 'utf8')).toBe('0123456789');
    expect(m.client.capabilities(REGISTRY).rangeGet).toBe(false);
  });

  it('leaves nothing behind when the bytes do not match the digest', async () => {
    const m = mockRegistry();
    m.pool()
      .intercept({ path: `/v2/a/blobs/${desc.digest}`, method: 'GET' })
      .reply(200, '012345678X');
    const err = await downloadBlob(repoOf(m), desc, join(dir, 'blob')).catch((e) => e);
    expect(isOcicatError(err, 'DIGEST_MISMATCH')).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a body longer than the descriptor', async () => {
    const m = mockRegistry();
    m.pool()
      .intercept({ path: `/v2/a/blobs/${desc.digest}`, method: 'GET' })
      .reply(200, Buffer.concat([blob, blob]));
    const err = await downloadBlob(repoOf(m), desc, join(dir, 'blob')).catch((e) => e);
    expect(isOcicatError(err, 'SIZE_MISMATCH')).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('manifests', () => {
  const body = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY_JSON, layers: [] }),
  );
  it('verifies a manifest fetched by digest', async () => {
    const m = mockRegistry();
    const wrong = digestOf('x');
    m.pool()
      .intercept({ path: `/v2/a/manifests/${wrong}`, method: 'GET' })
      .reply(200, body, { headers: { 'content-type': OCI_MANIFEST } });
    const err = await getManifest(repoOf(m), wrong).catch((e) => e);
    expect(isOcicatError(err, 'DIGEST_MISMATCH')).toBe(true);
  });
  it('sends the full Accept list and reads the descriptor', async () => {
    const m = mockRegistry();
    m.pool()
      .intercept({ path: '/v2/a/manifests/1', method: 'GET' })
      .reply((o) => {
        expect(m.record(o).accept).toContain('application/vnd.oci.image.index.v1+json');
        return {
          statusCode: 200,
          data: body,
          responseOptions: {
            headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': digestOf(body) },
          },
        };
      });
    const got = await getManifest(repoOf(m), '1');
    expect(got.descriptor).toEqual({ mediaType: OCI_MANIFEST, digest: digestOf(body), size: body.length });
  });
});
