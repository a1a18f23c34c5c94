// Blob uploads, distribution-spec 1.1 "Pushing blobs":
// - monolithic: POST -> 202 Location, then PUT <location>?digest= with the body;
// - chunked: POST, PATCH chunks with Content-Range, PUT ?digest= to close;
// - mount: POST ?mount=<digest>&from=<repo> -> 201, or 202 = a plain upload session.
// Content-Length is always set; we never send Transfer-Encoding: chunked (ACR
// answers 400 CONTENT_LENGTH_INVALID, REGISTRY-FACTS).
import { OcicatError } from '../errors.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { pullScope, pushScope, type Scope } from './auth/scope.ts';
import type { BlobSource } from './blob-source.ts';
import type { RequestBody } from './client.ts';
import type { HttpResponse } from './http.ts';
import { drain, header, parseUploadRange } from './http.ts';
import { uploadsPath, withQuery } from './paths.ts';
import { isRegistryError } from './registry-error.ts';
import type { RepoRef } from './repo-ref.ts';
import { isRetryableStatus, retryDelay, sleep } from './retry.ts';
import { classifyNetworkError } from './transport.ts';

export type UploadStrategy = 'monolithic' | 'chunked' | 'auto';

export interface UploadOptions {
  /** auto (default): monolithic, chunked when the registry refuses the size (413). */
  strategy?: UploadStrategy;
  /** Chunk size for chunked uploads; raised to OCI-Chunk-Min-Length when the registry asks. */
  chunkSize?: number;
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

type Desc = Pick<Descriptor, 'digest' | 'size'>;

export interface UploadResult {
  via: 'monolithic' | 'chunked' | 'mount';
}

export interface Session {
  location: string;
  minChunk: number | undefined;
}

function octet(length: number, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/octet-stream', 'content-length': String(length), ...extra };
}

function locationOf(res: HttpResponse): string {
  const loc = header(res, 'location');
  if (!loc) throw new OcicatError('PROTOCOL', `${res.method} ${res.url}: ${res.status} without Location`);
  // Relative locations resolve against the request URL (RFC 9110 10.2.2).
  return new URL(loc, res.url).toString();
}

export async function startUpload(
  repo: RepoRef,
  extraScopes: Scope[] = [],
  query = '',
): Promise<HttpResponse> {
  return repo.client.send({
    registry: repo.registry,
    method: 'POST',
    path: uploadsPath(repo.repository) + query,
    headers: { 'content-length': '0' },
    scopes: [pushScope(repo.repository), ...extraScopes],
  });
}

async function openSession(repo: RepoRef): Promise<Session> {
  const res = await startUpload(repo);
  if (res.status !== 202) throw await repo.client.errorFrom(res);
  await drain(res);
  const min = Number(header(res, 'oci-chunk-min-length'));
  return { location: locationOf(res), minChunk: Number.isFinite(min) && min > 0 ? min : undefined };
}

function body(source: BlobSource, start: number, end: number, onProgress?: (n: number) => void): RequestBody {
  const report = onProgress ? (n: number) => onProgress(start + n) : undefined;
  return {
    length: end - start,
    open: () => {
      if (source.file) return { file: source.file, start, end, ...(report ? { onProgress: report } : {}) };
      const chunks = source.open(start, end);
      return report ? counted(chunks, report) : chunks;
    },
  };
}

/** Count bytes as they pass (for progress), without copying them. */
async function* counted(chunks: AsyncIterable<Buffer>, onProgress: (bytes: number) => void) {
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    yield c;
    onProgress(n);
  }
}

/** Send bytes [start, end) of a source to an upload location; never retried here (see callers). */
function sendBytes(
  repo: RepoRef,
  method: 'PUT' | 'PATCH',
  location: string,
  source: BlobSource,
  start: number,
  end: number,
  options: UploadOptions,
  extra: Record<string, string> = {},
): Promise<HttpResponse> {
  return repo.client.send({
    registry: repo.registry,
    method,
    path: location,
    headers: octet(end - start, extra),
    body: body(source, start, end, options.onProgress),
    scopes: [pushScope(repo.repository)],
    retry: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

async function closeSession(repo: RepoRef, location: string, desc: Desc): Promise<void> {
  const res = await repo.client.send({
    registry: repo.registry,
    method: 'PUT',
    path: withQuery(location, { digest: desc.digest }),
    headers: octet(0),
    scopes: [pushScope(repo.repository)],
    retry: false,
  });
  await checkCreated(repo, res, desc);
}

async function checkCreated(repo: RepoRef, res: HttpResponse, desc: Desc): Promise<void> {
  if (res.status !== 201) throw await repo.client.errorFrom(res);
  await drain(res);
  const stored = header(res, 'docker-content-digest');
  if (stored && stored !== desc.digest) {
    throw new OcicatError('DIGEST_MISMATCH', `registry stored ${stored} for blob ${desc.digest}`);
  }
}

/** Monolithic upload. A failed PUT is never retried on the same session: it may hold partial bytes. */
export async function uploadMonolithic(
  repo: RepoRef,
  desc: Desc,
  source: BlobSource,
  options: UploadOptions = {},
  session?: Session,
): Promise<void> {
  const { client } = repo;
  for (let attempt = 0; ; attempt++) {
    const s = session ?? (await openSession(repo));
    session = undefined;
    let res: HttpResponse;
    try {
      res = await sendBytes(
        repo,
        'PUT',
        withQuery(s.location, { digest: desc.digest }),
        source,
        0,
        desc.size,
        options,
      );
    } catch (e) {
      const { error, retryable } = classifyNetworkError(e, `PUT blob ${desc.digest}`);
      if (!retryable || attempt >= client.retry.maxRetries) throw error;
      await sleep(retryDelay(client.retry, attempt, undefined), options.signal);
      continue;
    }
    if (isRetryableStatus(res.status) && attempt < client.retry.maxRetries) {
      await drain(res);
      await sleep(retryDelay(client.retry, attempt, header(res, 'retry-after')), options.signal);
      continue;
    }
    await checkCreated(repo, res, desc);
    return;
  }
}

/** Where the registry says the session stands: GET <location> -> 204 + Range. */
async function sessionOffset(
  repo: RepoRef,
  location: string,
): Promise<{ offset: number; location: string } | undefined> {
  const res = await repo.client.send({
    registry: repo.registry,
    method: 'GET',
    path: location,
    scopes: [pushScope(repo.repository)],
    redirect: false,
  });
  await drain(res);
  if (res.status !== 204) return undefined;
  const range = parseUploadRange(header(res, 'range'));
  const loc = header(res, 'location') ? locationOf(res) : location;
  if (!range) return { offset: 0, location: loc };
  // "0-0" is ambiguous (nothing, or one byte; distribution writes 0-0 for both).
  if (range.end === 0) return undefined;
  return { offset: range.end + 1, location: loc };
}

/**
 * Chunked upload. Honours OCI-Chunk-Min-Length, accepts 201 on PATCH (ECR,
 * REGISTRY-FACTS), recovers from 416 and from dropped connections by asking the
 * session where it stands, and starts a fresh session when that is unknowable.
 */
export async function uploadChunked(
  repo: RepoRef,
  desc: Desc,
  source: BlobSource,
  options: UploadOptions = {},
  session?: Session,
): Promise<void> {
  const { client } = repo;
  const caps = client.capabilities(repo.registry);
  let s = session ?? (await openSession(repo));
  if (s.minChunk) caps.chunkMinLength = s.minChunk;
  let chunkSize = Math.max(options.chunkSize ?? DEFAULT_CHUNK_SIZE, s.minChunk ?? 1);
  let refusedAt = -1;
  let location = s.location;
  let offset = 0;
  let failures = 0;
  const recover = async (why: string) => {
    if (failures++ >= client.retry.maxRetries)
      throw new OcicatError('UPLOAD_FAILED', `chunked upload of ${desc.digest} failed: ${why}`);
    await sleep(retryDelay(client.retry, failures - 1, undefined), options.signal);
    const where = await sessionOffset(repo, location).catch(() => undefined);
    if (where && where.offset <= desc.size) {
      client.log(`chunked upload ${desc.digest}: ${why}; resuming at ${where.offset}`);
      location = where.location;
      offset = where.offset;
    } else {
      client.log(`chunked upload ${desc.digest}: ${why}; starting a new session`);
      s = await openSession(repo);
      location = s.location;
      offset = 0;
    }
  };
  while (offset < desc.size) {
    const end = Math.min(desc.size, offset + chunkSize);
    let res: HttpResponse;
    try {
      res = await sendBytes(repo, 'PATCH', location, source, offset, end, options, {
        'content-range': `${offset}-${end - 1}`,
      });
    } catch (e) {
      const { error, retryable } = classifyNetworkError(e, `PATCH blob ${desc.digest}`);
      if (!retryable) throw error;
      await recover(error.message);
      continue;
    }
    if (res.status === 202 || res.status === 201 || res.status === 204) {
      await drain(res);
      caps.chunked = true;
      if (header(res, 'location')) location = locationOf(res);
      const range = parseUploadRange(header(res, 'range'));
      // ECR answers 201 and its Range stops advancing: trust our own count there.
      offset =
        res.status === 202 && range && range.end + 1 <= end && range.end + 1 > offset ? range.end + 1 : end;
      continue;
    }
    if (res.status === 416 || isRetryableStatus(res.status)) {
      await drain(res);
      // A 416 twice at the same offset is a cap on the chunk size (GHCR refuses PATCH
      // bodies over 4 MiB, REGISTRY-FACTS): halve the chunks, down to the registry's minimum.
      if (res.status === 416 && offset === refusedAt && chunkSize > (s.minChunk ?? 64 * 1024)) {
        chunkSize = Math.max(s.minChunk ?? 64 * 1024, Math.floor(chunkSize / 2));
        client.log(
          `chunked upload ${desc.digest}: 416 again at ${offset}; chunks of ${chunkSize} bytes from now on`,
        );
      }
      if (res.status === 416) refusedAt = offset;
      await recover(`${res.status} on PATCH at ${offset}`);
      continue;
    }
    throw await client.errorFrom(res);
  }
  await closeSession(repo, location, desc);
}

/**
 * Cross-repository mount (distribution-spec "Mounting a blob from another
 * repository"). Returns true when mounted; otherwise the open upload session
 * the registry gave instead (202), or undefined when it refused outright.
 */
export async function mountBlob(
  repo: RepoRef,
  desc: Desc,
  from: string,
): Promise<true | Session | undefined> {
  const caps = repo.client.capabilities(repo.registry);
  let res: HttpResponse;
  try {
    res = await startUpload(
      repo,
      [pullScope(from)],
      `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(from)}`,
    );
  } catch (e) {
    // e.g. no pull right on the source repository: not fatal, upload instead.
    repo.client.log(`mount of ${desc.digest} from ${from} refused: ${(e as Error).message}`);
    return undefined;
  }
  if (res.status === 201) {
    await drain(res);
    caps.mount = true;
    return true;
  }
  if (res.status === 202) {
    await drain(res);
    caps.mount = false;
    return { location: locationOf(res), minChunk: undefined };
  }
  // Harbor answers 401 for a missing source, Quay fails without from (REGISTRY-FACTS).
  await drain(res);
  repo.client.log(`mount of ${desc.digest} from ${from} answered ${res.status}`);
  return undefined;
}

export interface PushBlobOptions extends UploadOptions {
  /** Try a cross-repository mount from this repository of the same registry first. */
  mountFrom?: string;
}

/** Push one blob the best way the registry allows. */
export async function pushBlob(
  repo: RepoRef,
  desc: Desc,
  source: BlobSource,
  options: PushBlobOptions = {},
): Promise<UploadResult> {
  if (source.size !== desc.size) {
    throw new OcicatError(
      'SIZE_MISMATCH',
      `blob ${desc.digest}: source has ${source.size} bytes, descriptor says ${desc.size}`,
    );
  }
  let session: Session | undefined;
  if (options.mountFrom && options.mountFrom !== repo.repository) {
    const m = await mountBlob(repo, desc, options.mountFrom);
    if (m === true) return { via: 'mount' };
    session = m;
  }
  const strategy = options.strategy ?? 'auto';
  if (strategy === 'chunked') {
    await uploadChunked(repo, desc, source, options, session);
    return { via: 'chunked' };
  }
  try {
    await uploadMonolithic(repo, desc, source, options, session);
    return { via: 'monolithic' };
  } catch (e) {
    // ACR answers 413 to a large monolithic PUT (REGISTRY-FACTS); chunks get through.
    if (strategy === 'auto' && isRegistryError(e, 413)) {
      repo.client.log(`monolithic PUT of ${desc.digest} refused with 413; uploading in chunks`);
      await uploadChunked(repo, desc, source, options);
      return { via: 'chunked' };
    }
    throw e;
  }
}
