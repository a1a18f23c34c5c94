import { describe, expect, it } from 'vitest';
import { covers, parseScopeParam, pullScope, pushScope, scopeStrings } from './scope.ts';

describe('scopes', () => {
  it('merges per repository in a stable order', () => {
    expect(scopeStrings([pushScope('b'), pullScope('a'), pullScope('b')])).toEqual([
      'repository:a:pull',
      'repository:b:pull,push',
    ]);
  });
  it('knows what a token covers', () => {
    expect(covers([pushScope('a')], [pullScope('a')])).toBe(true);
    expect(covers([pullScope('a')], [pushScope('a')])).toBe(false);
    expect(covers([pushScope('a')], [pushScope('a'), pullScope('src')])).toBe(false);
    expect(covers([{ repository: 'a', actions: ['*'] }], [pushScope('a')])).toBe(true);
  });
  it('reads the scope of a challenge', () => {
    expect(parseScopeParam('repository:a/b:pull,push repository(plugin):c:pull registry:catalog:*')).toEqual([
      { repository: 'a/b', actions: ['pull', 'push'] },
      { repository: 'c', actions: ['pull'] },
    ]);
  });
});
