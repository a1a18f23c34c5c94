// The parallel gzip writer: a valid single gzip member whatever the size, the
// same bytes whatever the parallelism or the input chunking, and a plain deflate
// stream for inputs of one block or less.
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { constants, deflateRawSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BLOCK, gzip } from './gzip.ts';

/** Half text (compressible), half pseudo-random bytes, so that pieces differ. */
function sample(size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = 1;
  for (let i = 0; i < size; i++) {
    if ((i >> 14) & 1) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      out[i] = x >>> 24;
    } else out[i] = 'catalog services helm terraform\n'.charCodeAt(i % 32);
  }
  return out;
}

async function gz(data: Buffer, chunk: number, parallel?: number): Promise<Buffer> {
  async function* feed() {
    for (let off = 0; off < data.length; off += chunk) yield data.subarray(off, off + chunk);
  }
  const parts: Buffer[] = [];
  for await (const p of gzip(feed(), parallel ? { parallel } : {})) parts.push(p);
  return Buffer.concat(parts);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('gzip', () => {
  it.each([0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK, 3 * BLOCK + 12_345])(
    'round-trips %i bytes through zlib and GNU gzip',
    async (size) => {
      const data = sample(size);
      const z = await gz(data, 64 * 1024);
      expect(gunzipSync(z).equals(data)).toBe(true);
      expect(execFileSync('gzip', ['-dc'], { input: z, maxBuffer: 64 << 20 }).equals(data)).toBe(true);
    },
  );

  it('gives the same bytes whatever the parallelism and the input chunking', async () => {
    const data = sample(5 * BLOCK + 777);
    const a = sha(await gz(data, 64 * 1024, 1));
    expect(sha(await gz(data, 1000, 4))).toBe(a);
    expect(sha(await gz(data, 3 * BLOCK, 2))).toBe(a);
  });

  it('is one plain deflate stream for an input of one block or less', async () => {
    const data = sample(BLOCK);
    const z = await gz(data, 4096);
    const body = z.subarray(10, z.length - 8);
    expect(body.equals(deflateRawSync(data, { level: constants.Z_DEFAULT_COMPRESSION }))).toBe(true);
    expect(z.subarray(0, 10).toString('hex')).toBe('1f8b08000000000000ff');
  });

  it('primes each piece with the 32 KiB before it (matches reach across the seams)', async () => {
    // Each block opens with a copy of the 16 KiB that closed the one before (zlib
    // finds matches up to 32 KiB - 262 bytes back): only a piece primed with the
    // previous window can compress its opening.
    const data = createCipheriv('aes-256-ctr', Buffer.alloc(32), Buffer.alloc(16)).update(
      Buffer.alloc(4 * BLOCK),
    );
    for (let k = 1; k < 4; k++) data.copy(data, k * BLOCK, k * BLOCK - 16 * 1024, k * BLOCK);
    const ours = (await gz(data, 65536)).length;
    const one = deflateRawSync(data).length + 18;
    // incompressible but for the seams: without the dictionary each would cost 16 KiB
    expect(ours).toBeLessThan(one + 3 * 1024);
  });
});
