// Blob push and pull features (distribution-spec 1.1 "Push", "Pull").
import { randomBytes } from 'node:crypto';
import { digestOf } from '../../../harness/oci/digest.ts';
import { pushScope } from '../../../harness/remote/auth/scope.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import { startUpload, uploadChunked } from '../../../harness/remote/blob-upload.ts';
import { drain, header } from '../../../harness/remote/http.ts';
import { blobPath } from '../../../harness/remote/paths.ts';
import { isRegistryError } from '../../../harness/remote/registry-error.ts';
import { expectThat, type Feature, fail, pass, unsupported } from '../feature.ts';
import { raw } from './raw.ts';
import { session } from './spec-depth.ts';

const MiB = 1024 * 1024;
const THROUGHPUT_BYTES = 32 * MiB;

function blob(size: number) {
  const bytes = randomBytes(size);
  return { bytes, desc: { digest: digestOf(bytes), size } };
}

async function readAllBlob(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export const blobFeatures: Feature[] = [
  {
    id: 'push.blob.monolithic',
    title: 'Monolithic blob upload (POST then PUT), read back; push and pull throughput',
    area: 'push',
    optional: false,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('mono'));
      const { bytes, desc } = blob(THROUGHPUT_BYTES);
      let t = performance.now();
      expectThat(
        (await r.pushBlob(desc, bufferSource(bytes), { strategy: 'monolithic' })).via === 'monolithic',
        'upload did not complete',
      );
      const pushS = (performance.now() - t) / 1000;
      expectThat(
        (await r.headBlob(desc.digest))?.size === desc.size,
        'HEAD after upload does not report the size',
      );
      t = performance.now();
      const back = await readAllBlob(r.readBlob(desc));
      const pullS = (performance.now() - t) / 1000;
      expectThat(back.equals(bytes), 'the blob read back differs');
      return pass(`${THROUGHPUT_BYTES / MiB} MiB`, {
        pushMiBps: THROUGHPUT_BYTES / MiB / pushS,
        pullMiBps: THROUGHPUT_BYTES / MiB / pullS,
      });
    },
  },
  {
    id: 'push.blob.chunked',
    title: 'Chunked blob upload (PATCH with Content-Range), read back',
    area: 'push',
    optional: false,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('chunked'));
      const { bytes, desc } = blob(3 * MiB + 17);
      try {
        await uploadChunked(r, desc, bufferSource(bytes), { chunkSize: MiB });
      } catch (e) {
        if (isRegistryError(e, 405) || (isRegistryError(e) && e.has('UNSUPPORTED')))
          return unsupported(`chunked upload refused: ${(e as Error).message}`);
        throw e;
      }
      expectThat((await readAllBlob(r.readBlob(desc))).equals(bytes), 'the blob read back differs');
      // ocicat's upload takes a 201 and a Range that does not move (ECR, REGISTRY-FACTS);
      // the spec asks 202 Accepted with Location and Range (distribution-spec 1.1,
      // "Pushing a blob in chunks"), and the official suite's chunked cases fail without
      // them: one chunk, as it asks
      const repo = r.repository;
      const loc = await session(ctx, repo);
      const one = await raw(ctx, 'PATCH', loc, [pushScope(repo)], {
        headers: { 'content-type': 'application/octet-stream', 'content-range': '0-1023' },
        body: randomBytes(1024),
      });
      await drain(one);
      const range = header(one, 'range');
      if (one.status !== 202 || !header(one, 'location') || (range !== '0-1023' && range !== 'bytes=0-1023'))
        return fail(
          `a chunk (Content-Range 0-1023) answered ${one.status} with Range ${range ?? '(none)'}${header(one, 'location') ? '' : ' and no Location'}, not 202 with Location and Range 0-1023 (ocicat's own upload copes)`,
        );
      return pass('4 chunks of 1 MiB; a chunk answered 202 with Location and Range');
    },
  },
  {
    id: 'push.blob.chunk-min-length',
    title: 'OCI-Chunk-Min-Length on the upload session, and chunks of that size accepted',
    area: 'push',
    optional: true,
    async run(ctx) {
      const name = ctx.fresh('minchunk');
      const res = await startUpload(ctx.repo(name));
      await drain(res);
      const min = Number(header(res, 'oci-chunk-min-length'));
      if (!Number.isFinite(min) || min <= 0) return unsupported('no OCI-Chunk-Min-Length on the POST answer');
      const r = ctx.repo(name);
      const { bytes, desc } = blob(Math.min(min * 2 + 1, 64 * MiB));
      await uploadChunked(r, desc, bufferSource(bytes), { chunkSize: 1 });
      expectThat(
        (await r.headBlob(desc.digest))?.size === desc.size,
        'upload in minimum-size chunks did not complete',
      );
      return pass(`OCI-Chunk-Min-Length: ${min}`);
    },
  },
  {
    id: 'push.mount',
    title: 'Cross-repository blob mount (POST ?mount=&from=)',
    area: 'push',
    optional: true,
    async run(ctx) {
      const from = ctx.fresh('mount-src');
      const { bytes, desc } = blob(64 * 1024);
      await ctx.repo(from).pushBlob(desc, bufferSource(bytes));
      const to = ctx.repo(ctx.fresh('mount-dst'));
      const r = await to.pushBlob(desc, bufferSource(bytes), { mountFrom: from });
      expectThat(
        (await to.headBlob(desc.digest)) !== undefined,
        'blob missing in the target after mount or upload',
      );
      return r.via === 'mount'
        ? pass('201 Created')
        : unsupported('answered 202: fell back to an upload session');
    },
  },
  {
    id: 'pull.blob.range-resume',
    title: 'Blob GET with Range answers 206 (what resuming a cut download needs)',
    area: 'pull',
    optional: true,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('range'));
      const { bytes, desc } = blob(256 * 1024);
      await r.pushBlob(desc, bufferSource(bytes));
      const res = await ctx.client.send({
        registry: ctx.target.host,
        method: 'GET',
        path: blobPath(r.repository, desc.digest),
        headers: { range: 'bytes=1000-' },
        scopes: [pushScope(r.repository)],
      });
      const body = await readAllBlob(res.body);
      if (res.status === 200) return unsupported('Range ignored: 200 with the whole body');
      if (res.status !== 206) return fail(`Range GET answered ${res.status}`);
      expectThat(
        /^bytes 1000-/.test(header(res, 'content-range') ?? ''),
        `Content-Range "${header(res, 'content-range')}" does not start at 1000`,
      );
      expectThat(body.equals(bytes.subarray(1000)), '206 body is not the requested range');
      return pass('206 Partial Content');
    },
  },
  {
    id: 'pull.verify-digest',
    title: 'Blob GET carries Docker-Content-Digest and the bytes match it',
    area: 'pull',
    optional: false,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('verify'));
      const { bytes, desc } = blob(128 * 1024);
      await r.pushBlob(desc, bufferSource(bytes));
      const res = await ctx.client.send({
        registry: ctx.target.host,
        method: 'GET',
        path: blobPath(r.repository, desc.digest),
        scopes: [pushScope(r.repository)],
      });
      const body = await readAllBlob(res.body);
      expectThat(res.status === 200, `GET answered ${res.status}`);
      expectThat(digestOf(body) === desc.digest, 'bytes do not match the digest');
      const d = header(res, 'docker-content-digest');
      if (d !== undefined) expectThat(d === desc.digest, `Docker-Content-Digest ${d} differs`);
      return pass(
        d
          ? 'digest verified; Docker-Content-Digest matches'
          : 'digest verified; no Docker-Content-Digest header',
      );
    },
  },
];
