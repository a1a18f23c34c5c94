// Writing downloads to files, two ways. writeDelivered: a delivered body (views of
// a socket's read buffer) is written at once, on this thread, while the bytes are
// still in the CPU cache, with no copy into a staging buffer (for one 1 GiB
// stream, measured within noise of staged writes by the thread pool, and simpler).
// writeChunks: a stream of chunks goes through two staging buffers: one is written
// by the thread pool while the next fills. Network chunks (about 64 KiB) gather
// into large writes, their memory is free as soon as they are copied, and a
// multi-GB file costs the same 2 x STAGE bytes as a small one. (The default file
// stream, with a 16 KiB buffer, made every network chunk its own write: a
// 256 MiB pull took 1.3 s that way and 0.5 s with large writes.)
import { writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { BufferPool } from './buffer-pool.ts';

export const STAGE = 2 * 1024 * 1024;
/** Enough for the stages of 4 downloads at once (the default concurrency). */
const stagePool = new BufferPool(STAGE, 8);

async function writeAll(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  for (let done = 0; done < length; ) {
    const { bytesWritten } = await fh.write(buf, done, length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Write `chunks` to a new file at `path` (which must not exist), calling `onChunk`
 * on each before it is written (it may throw to stop). Returns the bytes written.
 */
export async function writeChunks(
  path: string,
  chunks: AsyncIterable<Buffer>,
  onChunk?: (chunk: Buffer) => void,
): Promise<number> {
  const fh = await open(path, 'wx');
  const stages = [stagePool.take(), stagePool.take()];
  let current = 0;
  let fill = 0;
  let position = 0;
  let writing: Promise<void> | undefined;
  const flush = async () => {
    const n = fill;
    // at most one write in flight: the stage about to fill must be written out
    await writing;
    writing = writeAll(fh, stages[current]!, n, position);
    position += n;
    current ^= 1;
    fill = 0;
  };
  try {
    for await (const chunk of chunks) {
      onChunk?.(chunk);
      for (let off = 0; off < chunk.length; ) {
        const n = Math.min(STAGE - fill, chunk.length - off);
        chunk.copy(stages[current]!, fill, off, off + n);
        fill += n;
        off += n;
        if (fill === STAGE) await flush();
      }
    }
    if (fill > 0) await flush();
    await writing;
  } finally {
    await writing?.catch(() => undefined);
    await fh.close();
    for (const b of stages) stagePool.give(b);
  }
  return position;
}

/**
 * Write a delivered body to a new file at `path`: each chunk is a view valid only
 * during the call (socket-get.ts), so it is written there and then, on this
 * thread, while it is still in the CPU cache. `onChunk` runs first (it may throw
 * to stop). Returns the bytes written.
 */
export async function writeDelivered(
  path: string,
  deliver: (sink: (chunk: Buffer) => void) => Promise<void>,
  onChunk?: (chunk: Buffer) => void,
): Promise<number> {
  const fh = await open(path, 'wx');
  let position = 0;
  try {
    await deliver((chunk) => {
      onChunk?.(chunk);
      for (let done = 0; done < chunk.length; )
        done += writeSync(fh.fd, chunk, done, chunk.length - done, position + done);
      position += chunk.length;
    });
  } finally {
    await fh.close();
  }
  return position;
}
