import { describe, expect, it } from 'vitest';
import { OcicatError } from '../errors.ts';
import { registryErrorFrom } from '../remote/registry-error.ts';
import { artifactRefusal } from './refusal.ts';

const wrap = (status: number, url: string, body: string) => {
  const r = registryErrorFrom(status, 'PUT', url, body);
  return new OcicatError(r.code, `destination x: ${r.message}`, { cause: r });
};
const err = (code: string) => JSON.stringify({ errors: [{ code, message: 'm' }] });

describe('artifactRefusal', () => {
  it.each([
    [400, 'https://r/v2/a/manifests/1.0.0', err('MANIFEST_INVALID'), '400 MANIFEST_INVALID'],
    [400, 'https://r/v2/a/manifests/1.0.0', err('UNSUPPORTED'), '400 UNSUPPORTED'],
    [415, 'https://r/v2/a/manifests/1.0.0', '<html></html>', '415'],
    [400, 'https://r/v2/a/manifests/1.0.0', '', '400'],
    [
      400,
      'https://r/up/1?digest=sha256%3A44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      err('BLOB_UPLOAD_INVALID'),
      '400 BLOB_UPLOAD_INVALID on the empty config',
    ],
  ])('sees %i on %s as a refusal of the artifact form', (status, url, body, reason) => {
    expect(artifactRefusal(wrap(status, url, body))).toBe(reason);
  });

  it.each([
    [401, 'https://r/v2/a/manifests/1.0.0', err('UNAUTHORIZED')],
    [400, 'https://r/v2/a/manifests/1.0.0', err('MANIFEST_BLOB_UNKNOWN')],
    [400, 'https://r/up/1?digest=sha256%3Aaaaa', err('DIGEST_INVALID')],
    [500, 'https://r/v2/a/manifests/1.0.0', err('UNKNOWN')],
  ])('does not see %i on %s as one', (status, url, body) => {
    expect(artifactRefusal(wrap(status, url, body))).toBeUndefined();
  });
  it('ignores errors that are not from the registry', () => {
    expect(artifactRefusal(new Error('x'))).toBeUndefined();
  });
});
