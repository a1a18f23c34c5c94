// Where upload bytes come from. A source can be opened again at any offset, so an
// upload can be retried or resumed without holding the blob in memory.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface BlobSource {
  readonly size: number;
  /** Bytes [start, end), in chunks. */
  open(start: number, end: number): AsyncIterable<Buffer>;
  /** Set when the bytes are this file: an upload then sends it from reused buffers. */
  readonly file?: string;
  /**
   * Write all the bytes, checked against the descriptor the source was fetched
   * for, to a new file at `path`. Set when the source has a faster way than
   * `open` (a registry blob: socket-get.ts, blob-workers.ts).
   */
  toFile?(path: string, onProgress?: (bytes: number) => void): Promise<void>;
}

export function bufferSource(buf: Buffer): BlobSource {
  return {
    size: buf.length,
    async *open(start, end) {
      if (end > start) yield buf.subarray(start, end);
    },
  };
}

export function fileSource(path: string, size: number): BlobSource {
  return {
    size,
    file: path,
    open: (start, end) =>
      end <= start
        ? bufferSource(Buffer.alloc(0)).open(0, 0)
        : createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 }),
  };
}

export async function fileSourceOf(path: string): Promise<BlobSource> {
  return fileSource(path, (await stat(path)).size);
}
