import { describe, expect, it } from 'vitest';
import { isOcicatError } from '../errors.ts';
import { digestOf, parseDigest, Verifier } from './digest.ts';

function drain(data: Buffer[], expected: { digest: string; size: number }): unknown {
  try {
    const v = new Verifier(expected);
    for (const c of data) v.update(c);
    v.finish();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('digests', () => {
  it('parses sha256 and sha512 and rejects the rest', () => {
    expect(parseDigest(`sha256:${'0'.repeat(64)}`).algorithm).toBe('sha256');
    expect(parseDigest(`sha512:${'f'.repeat(128)}`).algorithm).toBe('sha512');
    for (const bad of [
      'sha256',
      'sha256:',
      `sha256:${'A'.repeat(64)}`,
      `sha256:${'0'.repeat(63)}`,
      `blake3:${'0'.repeat(64)}`,
      `SHA256:${'0'.repeat(64)}`,
      ':x',
    ]) {
      expect(() => parseDigest(bad)).toThrow(/invalid digest/);
    }
  });

  it('computes the digest of {} as the empty descriptor says', () => {
    expect(digestOf('{}')).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('verifies content as it streams', async () => {
    const body = Buffer.from('hello world');
    expect(
      drain([body.subarray(0, 3), body.subarray(3)], { digest: digestOf(body), size: body.length }),
    ).toBeUndefined();
    const wrong = drain([Buffer.from('hello worlD')], { digest: digestOf(body), size: body.length });
    expect(isOcicatError(wrong, 'DIGEST_MISMATCH')).toBe(true);
    const short = drain([body.subarray(0, 5)], { digest: digestOf(body), size: body.length });
    expect(isOcicatError(short, 'SIZE_MISMATCH')).toBe(true);
    const long = drain([body, body], { digest: digestOf(body), size: body.length });
    expect((long as Error).message).toMatch(/larger than/);
  });
});
