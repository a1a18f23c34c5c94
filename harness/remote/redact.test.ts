import { describe, expect, it } from 'vitest';
import { basicPairs, redactHeaders, redactUrl, scrub } from './redact.ts';

describe('redaction', () => {
  it('hides credentials and signed query parameters in URLs', () => {
    const out = redactUrl('https://user:pw@s3.example.com/b?X-Amz-Signature=abc&token=t0k&keep=1');
    expect(out).not.toMatch(/pw|abc|t0k/);
    expect(out).toContain('keep=1');
  });
  it('hides authorization headers but keeps the scheme', () => {
    expect(redactHeaders({ Authorization: 'Bearer secret', accept: 'x' })).toEqual({
      Authorization: 'Bearer [redacted]',
      accept: 'x',
    });
  });
  it('scrubs known secrets from text', () => {
    expect(scrub('password hunter22 in message', ['hunter22'])).toBe('password [redacted] in message');
  });
  it('scrubs the base64 of user:password a registry echoes from the Authorization header', () => {
    const echoed = `denied: Authorization: Basic ${Buffer.from('vendor:s3cret!').toString('base64')}`;
    const out = scrub(echoed, ['s3cret!', ...basicPairs([{ username: 'vendor', password: 's3cret!' }])]);
    expect(out).toBe('denied: Authorization: Basic [redacted]');
  });
  it('scrubs URL-encoded, base64url and JSON-escaped forms', () => {
    const pw = 'p@ss/w+rd "q"';
    for (const form of [encodeURIComponent(pw), Buffer.from(pw).toString('base64url'), JSON.stringify(pw)])
      expect(scrub(`x ${form} y`, [pw])).not.toContain(form.replace(/^"|"$/g, ''));
  });
  it('scrubs a password of any length; a short one only where it stands alone', () => {
    expect(scrub('user:ab failed', ['ab'])).toBe('user:[redacted] failed');
    expect(scrub('about the abyss', ['ab'])).toBe('about the abyss');
    expect(scrub('pw=x', ['x'])).toBe('pw=[redacted]');
  });
});
