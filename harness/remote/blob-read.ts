// Blob reads: HEAD, a streaming GET that resumes with Range after a cut
// (distribution-spec "Pulling blobs", RFC 9110 14.2), and download to a file that
// is verified on the fly and renamed into place only when the digest matches.
import { createWriteStream } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OcicatError } from '../errors.ts';
import { VerifyingStream } from '../oci/digest.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { writeThenRename } from '../util/atomic-write.ts';
import { WRITE_BUFFER } from '../util/write-buffer.ts';
import { pullScope } from './auth/scope.ts';
import { header } from './http.ts';
import { blobPath } from './paths.ts';
import type { RepoRef } from './repo-ref.ts';
import { retryDelay, sleep } from './retry.ts';
import { classifyNetworkError } from './transport.ts';

export interface BlobInfo {
  size: number;
  digest?: string;
}

/** HEAD a blob; undefined when the registry does not have it. */
export async function headBlob(repo: RepoRef, digest: string): Promise<BlobInfo | undefined> {
  const res = await repo.client.send({
    registry: repo.registry,
    method: 'HEAD',
    path: blobPath(repo.repository, digest),
    scopes: [pullScope(repo.repository)],
  });
  res.body.resume();
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw await repo.client.errorFrom(res);
  const size = Number(header(res, 'content-length'));
  const d = header(res, 'docker-content-digest');
  return { size: Number.isFinite(size) ? size : -1, ...(d ? { digest: d } : {}) };
}

export interface ReadOptions {
  /** Start at this offset (resume a partial file). */
  offset?: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

/**
 * The blob's bytes from `offset`, resuming after network cuts and short bodies
 * with `Range: bytes=<n>-`. A registry that ignores Range (200 with the whole
 * body) is tolerated by skipping what we already have. The stream does not
 * verify: pipe it through VerifyingStream (downloadBlob does).
 */
export function readBlob(
  repo: RepoRef,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  options: ReadOptions = {},
): Readable {
  const { client } = repo;
  const caps = client.capabilities(repo.registry);
  async function* chunks(): AsyncGenerator<Buffer> {
    let offset = options.offset ?? 0;
    let failures = 0;
    for (let first = true; first || offset < desc.size; first = false) {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
      const res = await client.send({
        registry: repo.registry,
        method: 'GET',
        path: blobPath(repo.repository, desc.digest),
        headers,
        scopes: [pullScope(repo.repository)],
        ...(options.signal ? { signal: options.signal } : {}),
      });
      let skip = 0;
      if (res.status === 206) {
        caps.rangeGet = true;
        const start = /bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1];
        if (start !== undefined && Number(start) !== offset) {
          res.body.destroy();
          throw new OcicatError(
            'PROTOCOL',
            `GET ${desc.digest}: asked for bytes from ${offset}, got from ${start}`,
          );
        }
      } else if (res.status === 200) {
        if (offset > 0) {
          caps.rangeGet = false;
          skip = offset;
        }
      } else {
        throw await client.errorFrom(res);
      }
      try {
        for await (const raw of res.body) {
          let chunk = raw as Buffer;
          if (skip > 0) {
            if (chunk.length <= skip) {
              skip -= chunk.length;
              continue;
            }
            chunk = chunk.subarray(skip);
            skip = 0;
          }
          offset += chunk.length;
          options.onProgress?.(offset);
          yield chunk;
        }
        if (offset >= desc.size) return;
        // A clean end before the size: a truncated body. Resume like a cut.
        client.log(`GET ${desc.digest}: body ended at ${offset} of ${desc.size}, resuming`);
      } catch (e) {
        const { error, retryable } = classifyNetworkError(e, `GET blob ${desc.digest}`);
        if (!retryable) throw error;
        client.log(`GET ${desc.digest}: cut at ${offset} (${error.message}), resuming`);
        if (failures >= client.retry.maxRetries) throw error;
      }
      if (failures >= client.retry.maxRetries) {
        throw new OcicatError(
          'NETWORK',
          `GET blob ${desc.digest}: body ended at ${offset} of ${desc.size} bytes`,
        );
      }
      await sleep(retryDelay(client.retry, failures++, undefined), options.signal);
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1024 * 1024 });
}

/**
 * Download a blob to `path`: bytes go to a temp file beside it while their digest
 * is checked; the file is renamed into place only when size and digest match.
 */
export async function downloadBlob(
  repo: RepoRef,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  path: string,
  options: ReadOptions = {},
): Promise<void> {
  await writeThenRename(
    dirname(path),
    basename(path),
    (tmp) =>
      pipeline(
        readBlob(repo, desc, options),
        new VerifyingStream(desc),
        createWriteStream(tmp, { highWaterMark: WRITE_BUFFER }),
      ),
    () => path,
  );
}

/** Count bytes as they pass (for progress), without copying them. */
export function progressStream(onProgress: (bytes: number) => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      n += chunk.length;
      onProgress(n);
      done(null, chunk);
    },
  });
}
