// Blob reads: HEAD, a GET (streamed or delivered to a sink) that resumes with Range after a cut
// (distribution-spec "Pulling blobs", RFC 9110 14.2), and download to a file that
// is verified on the fly and renamed into place only when the digest matches.
import { basename, dirname } from 'node:path';
import { OcicatError } from '../errors.ts';
import { Verifier } from '../oci/digest.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { writeThenRename } from '../util/atomic-write.ts';
import { writeDelivered } from '../util/file-sink.ts';
import { reclaim } from '../util/reclaim.ts';
import { pullScope } from './auth/scope.ts';
import { type BodySink, deliverBody, type HttpResponse, header } from './http.ts';
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

/** The bookkeeping of a blob read that resumes after cuts: offset, a repeated prefix to skip, failures. */
class ResumingRead {
  offset: number;
  private skip = 0;
  private failures = 0;
  private readonly repo: RepoRef;
  private readonly desc: Pick<Descriptor, 'digest' | 'size'>;
  private readonly options: ReadOptions;

  constructor(repo: RepoRef, desc: Pick<Descriptor, 'digest' | 'size'>, options: ReadOptions) {
    this.repo = repo;
    this.desc = desc;
    this.options = options;
    this.offset = options.offset ?? 0;
  }

  /** GET the blob from the current offset (a Range request past 0) and check the answer. */
  async open(): Promise<HttpResponse> {
    const { client } = this.repo;
    const { offset, desc } = this;
    const res = await client.send({
      registry: this.repo.registry,
      method: 'GET',
      path: blobPath(this.repo.repository, desc.digest),
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      scopes: [pullScope(this.repo.repository)],
      bulk: true,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    const caps = client.capabilities(this.repo.registry);
    this.skip = 0;
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
        this.skip = offset;
      }
    } else {
      throw await client.errorFrom(res);
    }
    return res;
  }

  /** The new part of a received chunk (a 200 repeats what we have), or undefined. */
  take(raw: Buffer): Buffer | undefined {
    let chunk = raw;
    if (this.skip > 0) {
      if (chunk.length <= this.skip) {
        this.skip -= chunk.length;
        return undefined;
      }
      chunk = chunk.subarray(this.skip);
      this.skip = 0;
    }
    this.offset += chunk.length;
    this.options.onProgress?.(this.offset);
    return chunk;
  }

  get complete(): boolean {
    return this.offset >= this.desc.size;
  }

  /**
   * After a cut (`error`) or a clean but short body: throws when a retry cannot
   * help or the retries are spent, else waits before the next open().
   */
  async recover(failed: boolean, e?: unknown): Promise<void> {
    const { client } = this.repo;
    const { digest, size } = this.desc;
    if (failed) {
      const { error, retryable } = classifyNetworkError(e, `GET blob ${digest}`);
      if (!retryable) throw error;
      client.log(`GET ${digest}: cut at ${this.offset} (${error.message}), resuming`);
      if (this.failures >= client.retry.maxRetries) throw error;
    } else {
      client.log(`GET ${digest}: body ended at ${this.offset} of ${size}, resuming`);
      if (this.failures >= client.retry.maxRetries) {
        throw new OcicatError('NETWORK', `GET blob ${digest}: body ended at ${this.offset} of ${size} bytes`);
      }
    }
    await sleep(retryDelay(client.retry, this.failures++, undefined), this.options.signal);
  }
}

/**
 * The blob's bytes from `offset`, resuming after network cuts and short bodies
 * with `Range: bytes=<n>-` (RFC 9110 14.2). A registry that ignores Range (200
 * with the whole body) is tolerated by skipping what we already have. The chunks
 * are not verified: check them with a Verifier.
 */
export function readBlob(
  repo: RepoRef,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  options: ReadOptions = {},
): AsyncGenerator<Buffer> {
  return (async function* chunks(): AsyncGenerator<Buffer> {
    const read = new ResumingRead(repo, desc, options);
    for (;;) {
      const res = await read.open();
      try {
        for await (const raw of res.body) {
          reclaim((raw as Buffer).length);
          const chunk = read.take(raw as Buffer);
          if (chunk) yield chunk;
        }
      } catch (e) {
        await read.recover(true, e);
        continue;
      }
      if (read.complete) return;
      await read.recover(false);
    }
  })();
}

/**
 * Like readBlob, but every byte goes to `sink` as it arrives, as views valid only
 * during the call (no copy on the socket transport: socket-get.ts); a promise the
 * sink returns pauses the read until it settles. Resolves when the blob has been
 * read to its size.
 */
export async function readBlobInto(
  repo: RepoRef,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  sink: BodySink,
  options: ReadOptions = {},
): Promise<void> {
  const read = new ResumingRead(repo, desc, options);
  for (;;) {
    const res = await read.open();
    // node:http bodies allocate a buffer per chunk; `deliver` bodies do not
    const allocates = res.deliver === undefined;
    try {
      await deliverBody(res, (raw) => {
        if (allocates) reclaim(raw.length);
        const chunk = read.take(raw);
        return chunk ? sink(chunk) : undefined;
      });
    } catch (e) {
      await read.recover(true, e);
      continue;
    }
    if (read.complete) return;
    await read.recover(false);
  }
}

/**
 * Write a blob's verified bytes to a new file at `path` (the caller renames it
 * into place): in a worker thread when this one is already busy with another
 * blob (blob-workers.ts), else here. Throws on a size or digest mismatch.
 */
export async function fetchBlobToFile(
  repo: RepoRef,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  path: string,
  options: Omit<ReadOptions, 'offset'> = {},
): Promise<void> {
  await repo.client.downloadToFile(
    {
      registry: repo.registry,
      path: blobPath(repo.repository, desc.digest),
      scopes: [pullScope(repo.repository)],
      file: path,
      digest: desc.digest,
      size: desc.size,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
    async () => {
      const verifier = new Verifier(desc);
      await writeDelivered(
        path,
        (sink) => readBlobInto(repo, desc, sink, options),
        (c) => verifier.update(c),
      );
      verifier.finish();
    },
  );
}

/**
 * Download a blob to `path`: bytes go to a temp file beside it while their digest
 * is checked; the file is renamed into place only when size and digest match.
 */
export async function downloadBlob(
  repo: RepoRef,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  path: string,
  options: Omit<ReadOptions, 'offset'> = {},
): Promise<void> {
  await writeThenRename(
    dirname(path),
    basename(path),
    (tmp) => fetchBlobToFile(repo, desc, tmp, options),
    () => path,
  );
}
