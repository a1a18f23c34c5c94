import { describe, expect, it } from 'vitest';
import { isOcicatError } from '../../errors.ts';
import { parseChallenges, pickChallenge } from './challenge.ts';

describe('WWW-Authenticate', () => {
  it('parses a Bearer challenge with quoted params', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"',
    );
    expect(c).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example.com/token',
        service: 'registry.example.com',
        scope: 'repository:a/b:pull,push',
      },
    });
  });

  it('parses Basic, unquoted values, escapes and several challenges', () => {
    const cs = parseChallenges(
      'Basic realm="Registry Realm", Bearer realm=https://h/t , error="insufficient_scope", x="a\\"b"',
    );
    expect(cs.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(cs[1]?.params).toEqual({ realm: 'https://h/t', error: 'insufficient_scope', x: 'a"b' });
    expect(pickChallenge(cs)?.scheme).toBe('bearer');
  });

  it('reads a token68 and a bare scheme', () => {
    expect(parseChallenges('Negotiate abc+/==')[0]?.token68).toBe('abc+/==');
    expect(parseChallenges('Basic')[0]).toEqual({ scheme: 'basic', params: {} });
    expect(pickChallenge(parseChallenges('Negotiate x'))).toBeUndefined();
  });

  it.each([
    '',
    '   ',
    ',,,',
    'Bearer realm="unterminated',
    '=x',
    'Bearer realm="a" garbage="',
    '"quoted"',
    'x'.repeat(17 * 1024),
  ])('rejects %j with INVALID_CHALLENGE', (h) => {
    let err: unknown;
    try {
      parseChallenges(h);
    } catch (e) {
      err = e;
    }
    expect(isOcicatError(err, 'INVALID_CHALLENGE')).toBe(true);
  });
});
