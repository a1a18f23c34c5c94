import { describe, expect, it } from 'vitest';
import { isOcicatError } from '../errors.ts';
import { formatReference, isValidTag, manifestReference, parseReference } from './reference.ts';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    [
      'oci://localhost:5000/team/catalog:1.2.3',
      { registry: 'localhost:5000', repository: 'team/catalog', tag: '1.2.3' },
    ],
    ['oci://ghcr.io/a/b/c', { registry: 'ghcr.io', repository: 'a/b/c' }],
    [`oci://127.0.0.1:5000/x@${D}`, { registry: '127.0.0.1:5000', repository: 'x', digest: D }],
    [`oci://[::1]:5000/x:v1@${D}`, { registry: '[::1]:5000', repository: 'x', tag: 'v1', digest: D }],
    [
      'oci://Registry.Example.com/a__b/c-d.e:TAG_1',
      { registry: 'registry.example.com', repository: 'a__b/c-d.e', tag: 'TAG_1' },
    ],
  ])('parses %s', (input, want) => {
    expect(parseReference(input)).toEqual(want);
    expect(parseReference(formatReference(parseReference(input)))).toEqual(want);
  });

  it.each([
    ['', 'empty'],
    ['localhost:5000/a', 'missing oci:// scheme'],
    ['https://localhost/a', 'only the oci:// scheme'],
    ['oci://localhost', 'missing repository'],
    ['oci://localhost/', 'missing repository'],
    ['oci://localhost/Upper', 'bad repository'],
    ['oci://localhost/a//b', 'bad repository'],
    ['oci://localhost/a-', 'bad repository'],
    ['oci://localhost/a:-tag', 'bad tag'],
    [`oci://localhost/a:${'t'.repeat(129)}`, 'bad tag'],
    ['oci://localhost/a@sha256:abc', 'bad digest'],
    ['oci://localhost/a@md5:abc', 'bad digest'],
    ['oci://localhost:99999/a', 'bad port'],
    ['oci://local_host/a', 'bad registry host'],
    ['oci://[::1/a', 'unterminated IPv6'],
    ['oci://localhost/a b', 'whitespace'],
    [`oci://localhost/${'a'.repeat(256)}`, 'longer than 255'],
  ])('rejects %j with a clear message', (input, fragment) => {
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(isOcicatError(err, 'INVALID_REFERENCE')).toBe(true);
    expect((err as Error).message).toContain(fragment);
  });

  it('accepts a missing scheme only when asked', () => {
    expect(parseReference('localhost/a:1', { schemeOptional: true })).toEqual({
      registry: 'localhost',
      repository: 'a',
      tag: '1',
    });
  });

  it('uses the digest over the tag for manifest requests', () => {
    expect(manifestReference(parseReference(`oci://h/a:1@${D}`))).toBe(D);
    expect(() => manifestReference(parseReference('oci://h/a'))).toThrow(/tag or a digest/);
  });

  it('validates tags per distribution-spec', () => {
    expect(isValidTag('_x.y-z')).toBe(true);
    expect(isValidTag('.x')).toBe(false);
    expect(isValidTag('a'.repeat(128))).toBe(true);
    expect(isValidTag('a'.repeat(129))).toBe(false);
  });
});
