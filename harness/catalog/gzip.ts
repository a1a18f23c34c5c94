// gzip (RFC 1952) framed by hand around raw deflate (RFC 1951), so that every
// header byte is fixed: no name, mtime 0, XFL 0, OS 255 ("unknown"). zlib's own
// gzip writer puts the build's OS code in the header, which would differ between
// machines.
//
// The deflate stream is made of BLOCK-sized pieces compressed in parallel on the
// thread pool, the way pigz does it: each piece is primed with the 32 KiB before
// it as its dictionary (so matches still reach back across the seam) and ends in
// a sync flush (an empty stored block that realigns to a byte), which makes the
// pieces one valid stream when laid end to end; the last one ends the stream.
// The bytes depend only on the input and BLOCK, never on timing or core count,
// so the layer digest stays the same on every machine. An input of one block or
// less is a single plain deflate stream.
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';
import { reclaim } from '../util/reclaim.ts';

const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
/** Input bytes per independently compressed piece. Changing it changes every large layer's digest. */
export const BLOCK = 1024 * 1024;
const WINDOW = 32 * 1024;
const deflate = promisify(deflateRaw);

export interface GzipOptions {
  level?: number;
  /** Pieces in flight (default: the cores plus one, so that reading overlaps; at most 4, the thread pool). Never changes the bytes. */
  parallel?: number;
}

export async function* gzip(input: AsyncIterable<Buffer>, options: GzipOptions = {}): AsyncGenerator<Buffer> {
  const level = options.level ?? constants.Z_DEFAULT_COMPRESSION;
  const parallel = options.parallel ?? Math.min(4, availableParallelism() + 1);
  yield HEADER;
  let crc = 0;
  let length = 0;
  // Buffers for pieces: each is busy until its compression is done.
  const free: Buffer[] = [];
  const inFlight: Array<{ block: Buffer; out: Promise<Buffer> }> = [];
  let dictionary: Buffer | undefined;
  let block: Buffer = Buffer.allocUnsafeSlow(BLOCK);
  let fill = 0;

  const submit = (last: boolean) => {
    const piece = block.subarray(0, fill);
    const out = deflate(piece, {
      level,
      ...(dictionary ? { dictionary } : {}),
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
    });
    // the next piece's dictionary: a copy, since this block is reused later
    dictionary = Buffer.from(piece.subarray(Math.max(0, piece.length - WINDOW)));
    // handled when collected; this keeps an abandoned stream from an unhandled rejection
    out.catch(() => undefined);
    inFlight.push({ block, out });
    block = free.pop() ?? Buffer.allocUnsafeSlow(BLOCK);
    fill = 0;
  };
  const collect = async (): Promise<Buffer> => {
    const done = inFlight.shift()!;
    const out = await done.out;
    free.push(done.block);
    // zlib's one-shot deflate gathers its output in 16 KiB buffers, then joins them:
    // twice the piece in short-lived buffers (reclaim.ts)
    reclaim(2 * out.length);
    return out;
  };

  for await (const chunk of input) {
    crc = crc32(chunk, crc);
    length = (length + chunk.length) % 2 ** 32;
    for (let off = 0; off < chunk.length; ) {
      // a full block goes only when more input follows: the last piece must end the stream
      if (fill === BLOCK) {
        submit(false);
        while (inFlight.length >= parallel) yield await collect();
      }
      const n = Math.min(BLOCK - fill, chunk.length - off);
      chunk.copy(block, fill, off, off + n);
      fill += n;
      off += n;
    }
  }
  submit(true);
  while (inFlight.length > 0) yield await collect();
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length >>> 0, 4);
  yield trailer;
}
