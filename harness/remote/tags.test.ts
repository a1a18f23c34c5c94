import { describe, expect, it } from 'vitest';
import { nextLink } from './tags.ts';

describe('Link header', () => {
  it('finds rel="next" among several links', () => {
    expect(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"')).toBe('/v2/a/tags/list?n=2&last=b');
    expect(nextLink('<https://x/prev>; rel="prev", <https://x/next?a=1,2>; rel=next')).toBe(
      'https://x/next?a=1,2',
    );
    expect(nextLink('<https://x/p>; rel="prev"')).toBeUndefined();
    expect(nextLink('garbage')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});
