// gzip (RFC 1952) framed by hand around raw deflate, so that every header byte is
// fixed: no name, mtime 0, XFL 0, OS 255 ("unknown"). zlib's own gzip writer puts
// the build's OS code in the header, which would differ between machines.
import { once } from 'node:events';
import { constants, crc32, createDeflateRaw } from 'node:zlib';

const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);

export interface GzipOptions {
  level?: number;
}

export async function* gzip(input: AsyncIterable<Buffer>, options: GzipOptions = {}): AsyncGenerator<Buffer> {
  yield HEADER;
  let crc = 0;
  let length = 0;
  const deflate = createDeflateRaw({
    level: options.level ?? constants.Z_DEFAULT_COMPRESSION,
    chunkSize: 256 * 1024,
  });
  const feed = (async () => {
    try {
      for await (const chunk of input) {
        crc = crc32(chunk, crc);
        length = (length + chunk.length) % 2 ** 32;
        if (!deflate.write(chunk)) await once(deflate, 'drain');
      }
      deflate.end();
    } catch (e) {
      deflate.destroy(e as Error);
    }
  })();
  for await (const out of deflate) yield out as Buffer;
  await feed;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length >>> 0, 4);
  yield trailer;
}
