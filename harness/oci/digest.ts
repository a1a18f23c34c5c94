// Digests: image-spec "Digests" (descriptor.md#digests).
//   digest    ::= algorithm ":" encoded
//   algorithm ::= [a-z0-9]+([+._-][a-z0-9]+)*
// Registered algorithms: sha256 ([a-f0-9]{64}) and sha512 ([a-f0-9]{128}).
import { createHash, type Hash } from 'node:crypto';
import { OcicatError } from '../errors.ts';

export type Algorithm = 'sha256' | 'sha512';

const ENCODED_LENGTH: Record<Algorithm, number> = { sha256: 64, sha512: 128 };
const ALGORITHM_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;

export class Digest {
  readonly algorithm: Algorithm;
  readonly encoded: string;

  constructor(algorithm: Algorithm, encoded: string) {
    this.algorithm = algorithm;
    this.encoded = encoded;
  }

  toString(): string {
    return `${this.algorithm}:${this.encoded}`;
  }
}

export function parseDigest(input: string): Digest {
  const bad = (why: string) =>
    new OcicatError('INVALID_DIGEST', `invalid digest "${input.slice(0, 140)}": ${why}`);
  if (typeof input !== 'string') throw bad('not a string');
  const colon = input.indexOf(':');
  if (colon <= 0) throw bad('expected <algorithm>:<hex>');
  const algorithm = input.slice(0, colon);
  const encoded = input.slice(colon + 1);
  if (!ALGORITHM_RE.test(algorithm)) throw bad('malformed algorithm');
  if (algorithm !== 'sha256' && algorithm !== 'sha512') throw bad(`unsupported algorithm "${algorithm}"`);
  const want = ENCODED_LENGTH[algorithm];
  if (encoded.length !== want || !/^[a-f0-9]+$/.test(encoded)) {
    throw bad(`${algorithm} needs ${want} lowercase hex characters`);
  }
  return new Digest(algorithm, encoded);
}

export function isDigest(input: string): boolean {
  try {
    parseDigest(input);
    return true;
  } catch {
    return false;
  }
}

export function createHasher(algorithm: Algorithm = 'sha256'): Hash {
  return createHash(algorithm);
}

export function digestOf(data: Uint8Array | string, algorithm: Algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

export interface Expected {
  digest: string;
  size: number;
}

/**
 * Check bytes against a descriptor as they pass. Fails as soon as more bytes
 * arrive than the descriptor says (a layer larger than its descriptor, or a
 * runaway body), and at the end on a short body or a digest mismatch.
 */
export class Verifier {
  readonly expected: Expected;
  private readonly hash: Hash;
  private seen = 0;

  constructor(expected: Expected) {
    this.expected = expected;
    this.hash = createHasher(parseDigest(expected.digest).algorithm);
  }

  get bytes(): number {
    return this.seen;
  }

  /** Throws SIZE_MISMATCH once the bytes run past the expected size. */
  update(chunk: Buffer): void {
    this.seen += chunk.length;
    if (this.seen > this.expected.size) throw sizeMismatch(this.expected, this.seen, true);
    this.hash.update(chunk);
  }

  /** Throws SIZE_MISMATCH or DIGEST_MISMATCH unless every expected byte, and no other, went by. */
  finish(): void {
    if (this.seen !== this.expected.size) throw sizeMismatch(this.expected, this.seen, false);
    const got = `${parseDigest(this.expected.digest).algorithm}:${this.hash.digest('hex')}`;
    if (got !== this.expected.digest) {
      throw new OcicatError(
        'DIGEST_MISMATCH',
        `content digest ${got} does not match ${this.expected.digest}`,
      );
    }
  }
}

function sizeMismatch(expected: Expected, seen: number, over: boolean): OcicatError {
  return new OcicatError(
    'SIZE_MISMATCH',
    over
      ? `content of ${expected.digest} is larger than the ${expected.size} bytes its descriptor says`
      : `content of ${expected.digest} ended after ${seen} of ${expected.size} bytes`,
  );
}
