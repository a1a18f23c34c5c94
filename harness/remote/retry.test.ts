import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, retryDelay } from './retry.ts';

describe('retry policy', () => {
  it('retries 408, 429 and 5xx but not 501/505 or 4xx', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 413, 416, 501, 505].some(isRetryableStatus)).toBe(false);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('Sun, 22 Nov 2026 10:00:00 GMT');
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
  it('caps Retry-After and grows the backoff within bounds', () => {
    expect(retryDelay({ ...DEFAULT_RETRY, retryAfterCapMs: 2000 }, 0, '3600')).toBe(2000);
    for (let a = 0; a < 10; a++) {
      const d = backoffDelay(DEFAULT_RETRY, a);
      const ceiling = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** a);
      expect(d).toBeGreaterThanOrEqual(ceiling / 2);
      expect(d).toBeLessThanOrEqual(ceiling);
    }
  });
});
