import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl, scrub } from './redact.ts';

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
});
