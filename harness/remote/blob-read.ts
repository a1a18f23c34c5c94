// Blob reads: HEAD, a streaming GET that resumes with Range after a cut
// (distribution-spec "Pulling blobs", RFC 9110 14.2), and download to a file that
// is verified on the fly and renamed into place only when the digest matches.
import { basename, dirname } from 'node:path';
import { OcicatError } from '../errors.ts';
import { Verifier } from '../oci/digest.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { writeThenRename } from '../util/atomic-write.ts';
import { writeChunks } from '../util/file-sink.ts';
import { reclaim } from '../util/reclaim.ts';
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
 * body) is tolerated by skipping what we already have. The chunks are not
 * verified: check them with a Verifier (downloadBlob does).
 */
export function readBlob(
  repo: RepoRef,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  options: ReadOptions = {},
): AsyncGenerator<Buffer> {
  const { client } = repo;
  const caps = client.capabilities(repo.registry);
  return (async function* chunks(): AsyncGenerator<Buffer> {
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
          reclaim(chunk.length);
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
  })();
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
    async (tmp) => {
      const verifier = new Verifier(desc);
      await writeChunks(tmp, readBlob(repo, desc, options), (c) => verifier.update(c));
      verifier.finish();
    },
    () => path,
  );
}
