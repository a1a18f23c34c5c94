// Deterministic pseudo-random data for benchmarks, written in 8 MiB blocks
// (constant memory), with its sha256. Not for security: incompressible enough
// that no layer of the stack can cheat.
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export async function writeRandomFile(path: string, size: number, seed = 'ocicat'): Promise<string> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(8 * 1024 * 1024);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let left = size; left > 0; ) {
    const n = Math.min(left, zeros.length);
    const block = cipher.update(zeros.subarray(0, n));
    hash.update(block);
    if (!out.write(block)) await once(out, 'drain');
    left -= n;
  }
  out.end();
  await once(out, 'finish');
  return `sha256:${hash.digest('hex')}`;
}
