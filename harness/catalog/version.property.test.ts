// Property: a string is accepted iff it is strict x.y.z, and for accepted strings
// the ordering agrees with semver (and with a BigInt oracle beyond 2^53).
import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../fixtures/fc.ts';
import { compareVersions, isStrictVersion } from './version.ts';

const num = fc.oneof(
  fc.nat({ max: 20 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), // reaches past 2^53
);
const strict = fc.tuple(num, num, num).map((p) => p.join('.'));
const noise = fc.oneof(
  strict.map((v) => `v${v}`),
  strict.map((v) => `V${v}`),
  fc
    .tuple(strict, fc.stringMatching(/^[0-9A-Za-z-]{1,8}(\.[0-9A-Za-z-]{1,8}){0,2}$/))
    .map(([v, p]) => `${v}-${p}`),
  fc.tuple(strict, fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/)).map(([v, b]) => `${v}+${b}`),
  fc.tuple(fc.nat({ max: 9 }), fc.nat({ max: 99 }), num, num).map(([z, a, b, c]) => `0${z}${a}.${b}.${c}`), // leading zero
  fc.tuple(strict, fc.constantFrom(' ', '\t', '\n', '\u00a0')).map(([v, w]) => `${v}${w}`),
  fc.tuple(fc.constantFrom(' ', '\n'), strict).map(([w, v]) => `${w}${v}`),
  fc.tuple(num, num).map((p) => p.join('.')), // missing part
  fc.tuple(num, num, num, num).map((p) => p.join('.')), // extra part
  fc.tuple(strict, fc.constantFrom('١', '٢', '０', '१', '𝟘')).map(([v, d]) => v.replace(/\d$/, d)), // non-ASCII digits
  fc.string({ maxLength: 12 }),
);

/** An oracle written apart from the implementation: digits only, no leading zeros, three parts. */
function oracle(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 3) return false;
  return parts.every(
    (p) => p.length > 0 && [...p].every((c) => c >= '0' && c <= '9') && (p === '0' || p[0] !== '0'),
  );
}

function bigCompare(a: string, b: string): number {
  const pa = a.split('.').map(BigInt);
  const pb = b.split('.').map(BigInt);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  return 0;
}

describe('version rules (properties)', () => {
  it('accepts exactly the strict x.y.z strings', () => {
    fc.assert(
      fc.property(fc.oneof(strict, noise), (s) => {
        expect(isStrictVersion(s)).toBe(oracle(s));
      }),
      fcParams(2000),
    );
  });

  it('orders accepted versions as semver does (and as BigInt does beyond 2^53)', () => {
    fc.assert(
      fc.property(strict, strict, (a, b) => {
        const ours = compareVersions(a, b);
        expect(ours).toBe(bigCompare(a, b));
        const safe = [a, b].every((v) => v.split('.').every((p) => p.length < 16));
        if (safe) expect(ours).toBe(semver.compare(a, b));
      }),
      fcParams(2000),
    );
  });
});
