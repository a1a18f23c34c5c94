// Writing a request body. A file range is read into two reused buffers (one
// being sent while the next is read), so a multi-GB upload allocates 2 MiB once,
// leaves no garbage per chunk and never waits on the disk and the socket in
// turn. Other bodies are written with backpressure, chunk by chunk.

import { open } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { BufferPool } from '../util/buffer-pool.ts';

/** Bytes [start, end) of a file. */
export interface FileRange {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  /** Called with the bytes sent so far (from `start`). */
  readonly onProgress?: (bytes: number) => void;
}

export type BodyContent = Buffer | AsyncIterable<Buffer> | FileRange;

export const FILE_CHUNK = 1024 * 1024;
/** Enough for 4 uploads at once (the default concurrency). */
const chunkPool = new BufferPool(FILE_CHUNK, 8);

export function isFileRange(body: BodyContent): body is FileRange {
  return typeof (body as FileRange).file === 'string';
}

/** Write one chunk; resolves when the socket has taken it (the buffer may then be reused). */
function send(req: ClientRequest, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (req.destroyed) return reject(new Error('request closed'));
    req.write(chunk, (e) => (e ? reject(e) : resolve()));
  });
}

async function writeFileRange(req: ClientRequest, range: FileRange): Promise<void> {
  const fh = await open(range.file, 'r');
  const buffers = [chunkPool.take(), chunkPool.take()];
  let sending: Promise<void> | undefined;
  let inFlight = false;
  try {
    let pos = range.start;
    for (let i = 0; pos < range.end; i++) {
      const buf = buffers[i & 1]!;
      const { bytesRead } = await fh.read(buf, 0, Math.min(FILE_CHUNK, range.end - pos), pos);
      if (bytesRead === 0) throw new Error(`${range.file} ended at ${pos}, before ${range.end}`);
      // the other buffer must be on the wire before this one is queued behind it
      await sending;
      if (req.destroyed) return;
      pos += bytesRead;
      const sent = pos - range.start;
      inFlight = true;
      sending = send(req, buf.subarray(0, bytesRead)).then(
        () => {
          inFlight = false;
          range.onProgress?.(sent);
        },
        (e: unknown) => {
          inFlight = false;
          throw e;
        },
      );
      // awaited before the next send; until then a failure must not count as unhandled
      sending.catch(() => undefined);
    }
    await sending;
    req.end();
  } finally {
    await fh.close();
    // a write still pending on a failed request keeps its buffers out of the pool
    if (!inFlight) for (const b of buffers) chunkPool.give(b);
  }
}

async function writeIterable(req: ClientRequest, chunks: AsyncIterable<Buffer>): Promise<void> {
  for await (const c of chunks) {
    if (req.destroyed) return;
    // A full socket buffer: wait for it to drain before handing over more.
    if (!req.write(c))
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.once('drain', done);
        req.once('close', done);
      });
  }
  req.end();
}

export async function writeBody(req: ClientRequest, body: BodyContent | undefined): Promise<void> {
  if (body === undefined) return void req.end();
  if (Buffer.isBuffer(body)) return void req.end(body);
  if (isFileRange(body)) return writeFileRange(req, body);
  return writeIterable(req, body);
}
