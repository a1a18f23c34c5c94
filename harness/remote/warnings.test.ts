import { describe, expect, it } from 'vitest';
import { parseWarnings, warningOnce } from './warnings.ts';

describe('Warning headers (distribution-spec "Warnings")', () => {
  it('reads 299 warnings, several in one value, with escaped quotes', () => {
    expect(parseWarnings('299 - "this registry is deprecated"')).toEqual({
      texts: ['this registry is deprecated'],
      malformed: [],
    });
    expect(parseWarnings(['299 - "a, with a comma", 299 - "say \\"hi\\""', '299 - "c"']).texts).toEqual([
      'a, with a comma',
      'say "hi"',
      'c',
    ]);
  });
  it('calls anything else malformed: another code or agent, no quotes', () => {
    expect(parseWarnings('199 - "x"').malformed).toEqual(['199 - "x"']);
    expect(parseWarnings('299 registry "x"').malformed).toEqual(['299 registry "x"']);
    expect(parseWarnings('just some text').malformed).toEqual(['just some text']);
  });
  it('shows each text once per registry', () => {
    const shown: string[] = [];
    const note = warningOnce((r, t) => shown.push(`${r}: ${t}`));
    note('a', '299 - "x"');
    note('a', ['299 - "x"', '299 - "y"']);
    note('b', '299 - "x"');
    expect(shown).toEqual(['a: x', 'a: y', 'b: x']);
  });
});
