// Where upload bytes come from. A source can be opened again at any offset, so an
// upload can be retried or resumed without holding the blob in memory.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

export interface BlobSource {
  readonly size: number;
  /** Bytes [start, end) as a stream. */
  open(start: number, end: number): Readable;
}

export function bufferSource(buf: Buffer): BlobSource {
  return {
    size: buf.length,
    open: (start, end) => Readable.from([buf.subarray(start, end)], { objectMode: false }),
  };
}

export function fileSource(path: string, size: number): BlobSource {
  return {
    size,
    open: (start, end) =>
      end <= start
        ? Readable.from([], { objectMode: false })
        : createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 }),
  };
}

export async function fileSourceOf(path: string): Promise<BlobSource> {
  return fileSource(path, (await stat(path)).size);
}
