import { describe, expect, it } from 'vitest';
import { isOcicatError } from '../errors.ts';
import { mockRegistry, ORIGIN, REGISTRY } from '../testing/mock-registry.ts';
import { pullScope, pushScope } from './auth/scope.ts';
import { readBody } from './http.ts';
import { isRegistryError } from './registry-error.ts';
import { listTags } from './tags.ts';

const BEARER = `Bearer realm="${ORIGIN}/token",service="reg.test"`;
const get = (path: string) => ({
  registry: REGISTRY,
  method: 'GET' as const,
  path,
  scopes: [pullScope('a')],
});

describe('RegistryClient auth', () => {
  it('answers a Bearer challenge with an anonymous token and caches it per scope', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: '/v2/a/tags/list', method: 'GET' })
      .reply((o) => {
        const h = m.record(o);
        return h.authorization === 'Bearer t1'
          ? { statusCode: 200, data: '{"tags":["x"]}' }
          : { statusCode: 401, data: '', responseOptions: { headers: { 'www-authenticate': BEARER } } };
      })
      .times(3);
    p.intercept({ path: /^\/token\?/, method: 'GET' }).reply((o) => {
      const h = m.record(o);
      expect(h.authorization).toBeUndefined();
      expect(o.path).toBe('/token?service=reg.test&scope=repository%3Aa%3Apull');
      return { statusCode: 200, data: JSON.stringify({ token: 't1', expires_in: 300 }) };
    });
    const r1 = await m.client.expect(get('/v2/a/tags/list'), [200]);
    expect((await readBody(r1, 1000)).toString()).toBe('{"tags":["x"]}');
    await (await m.client.expect(get('/v2/a/tags/list'), [200])).body.resume();
    expect(m.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'GET /v2/a/tags/list',
      'GET /token',
      'GET /v2/a/tags/list',
      'GET /v2/a/tags/list',
    ]);
  });

  it('sends Basic credentials to the token endpoint and never prints the password', async () => {
    const m = mockRegistry({ logins: { [REGISTRY]: { username: 'alice', password: 's3cret-pw' } } });
    const p = m.pool();
    p.intercept({ path: '/v2/a/blobs/uploads/', method: 'POST' })
      .reply((o) => {
        const h = m.record(o);
        return h.authorization
          ? { statusCode: 202, data: '', responseOptions: { headers: { location: '/up/1' } } }
          : { statusCode: 401, data: '', responseOptions: { headers: { 'www-authenticate': BEARER } } };
      })
      .times(2);
    p.intercept({ path: /^\/token/, method: 'GET' }).reply((o) => {
      const h = m.record(o);
      expect(h.authorization).toBe(`Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`);
      expect(o.path).toContain('scope=repository%3Aa%3Apull%2Cpush');
      return { statusCode: 200, data: '{"access_token":"tok"}' };
    });
    const res = await m.client.expect(
      { registry: REGISTRY, method: 'POST', path: '/v2/a/blobs/uploads/', scopes: [pushScope('a')] },
      [202],
    );
    expect(res.status).toBe(202);
    expect(m.requests.at(-1)?.headers.authorization).toBe('Bearer tok');
    expect(m.logs.join('\n')).not.toContain('s3cret-pw');
  });

  it('reports refused credentials as UNAUTHORIZED without the secret', async () => {
    const m = mockRegistry({ logins: { [REGISTRY]: { username: 'alice', password: 'wrong-pw' } } });
    const p = m.pool();
    p.intercept({ path: '/v2/a/tags/list', method: 'GET' }).reply(401, '', {
      headers: { 'www-authenticate': BEARER },
    });
    p.intercept({ path: /^\/token/, method: 'GET' }).reply(401, '{"details":"wrong-pw rejected"}');
    const err = await m.client.expect(get('/v2/a/tags/list'), [200]).catch((e) => e);
    expect(isOcicatError(err, 'UNAUTHORIZED')).toBe(true);
    expect(String(err.message)).not.toContain('wrong-pw');
    expect(err.hint).toContain('credentials');
  });

  it('uses Basic directly when the registry challenges with Basic, and gives up after one refusal', async () => {
    const m = mockRegistry({ logins: { [REGISTRY]: { username: 'u', password: 'p' } } });
    const p = m.pool();
    p.intercept({ path: '/v2/a/tags/list', method: 'GET' })
      .reply((o) => {
        const h = m.record(o);
        return h.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`
          ? { statusCode: 200, data: '{"tags":[]}' }
          : {
              statusCode: 401,
              data: '',
              responseOptions: { headers: { 'www-authenticate': 'Basic realm="r"' } },
            };
      })
      .times(2);
    expect((await m.client.expect(get('/v2/a/tags/list'), [200])).status).toBe(200);
    const anon = mockRegistry();
    anon
      .pool()
      .intercept({ path: '/v2/a/tags/list', method: 'GET' })
      .reply(401, '', { headers: { 'www-authenticate': 'Basic realm="r"' } });
    const err = await anon.client.expect(get('/v2/a/tags/list'), [200]).catch((e) => e);
    expect(isOcicatError(err, 'UNAUTHORIZED')).toBe(true);
    expect(err.hint).toContain('log in');
  });

  it('trades an identity token with OAuth2 POST, and falls back to GET when the realm refuses POST', async () => {
    for (const postStatus of [200, 405]) {
      const m = mockRegistry({ logins: { [REGISTRY]: { identityToken: 'refresh-123' } } });
      const p = m.pool();
      p.intercept({ path: '/v2/a/tags/list', method: 'GET' })
        .reply((o) => {
          const h = m.record(o);
          return h.authorization === 'Bearer oauth'
            ? { statusCode: 200, data: '{}' }
            : { statusCode: 401, data: '', responseOptions: { headers: { 'www-authenticate': BEARER } } };
        })
        .times(2);
      p.intercept({ path: '/token', method: 'POST' }).reply((o) => {
        m.record(o);
        const form = new URLSearchParams(String(o.body));
        expect(form.get('grant_type')).toBe('refresh_token');
        expect(form.get('refresh_token')).toBe('refresh-123');
        expect(form.get('scope')).toBe('repository:a:pull');
        return postStatus === 200
          ? { statusCode: 200, data: '{"access_token":"oauth"}' }
          : { statusCode: 405, data: '' };
      });
      if (postStatus !== 200) {
        p.intercept({ path: /^\/token\?/, method: 'GET' }).reply((o) => {
          const h = m.record(o);
          expect(h.authorization).toBe(`Basic ${Buffer.from('<token>:refresh-123').toString('base64')}`);
          return { statusCode: 200, data: '{"token":"oauth"}' };
        });
      }
      expect((await m.client.expect(get('/v2/a/tags/list'), [200])).status).toBe(200);
    }
  });

  it('turns a malformed challenge into INVALID_CHALLENGE', async () => {
    const m = mockRegistry();
    m.pool()
      .intercept({ path: '/v2/a/tags/list', method: 'GET' })
      .reply(401, '', { headers: { 'www-authenticate': 'Bearer realm="open' } });
    const err = await m.client.send(get('/v2/a/tags/list')).catch((e) => e);
    expect(isOcicatError(err, 'INVALID_CHALLENGE')).toBe(true);
  });
});

describe('RegistryClient retries and redirects', () => {
  it('retries 503 and honours a capped Retry-After on 429', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: '/v2/', method: 'GET' }).reply(503, 'busy');
    p.intercept({ path: '/v2/', method: 'GET' }).reply(429, '', { headers: { 'retry-after': '3600' } });
    p.intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}');
    const res = await m.client.send(get('/v2/'));
    expect(res.status).toBe(200);
    expect(m.logs.filter((l) => l.startsWith('retrying'))).toHaveLength(2);
    expect(m.logs).toContain('retrying in 20 ms'); // Retry-After 3600 s cut to the 20 ms cap
  });

  it('gives up after maxRetries and returns the last answer', async () => {
    const m = mockRegistry();
    m.pool().intercept({ path: '/v2/', method: 'GET' }).reply(502, 'bad gateway').times(4);
    const err = await m.client.expect(get('/v2/'), [200]).catch((e) => e);
    expect(isRegistryError(err, 502)).toBe(true);
    expect(err.message).toContain('bad gateway');
  });

  it('retries network errors', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: '/v2/', method: 'GET' }).replyWithError(
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    );
    p.intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}');
    expect((await m.client.send(get('/v2/'))).status).toBe(200);
  });

  it('does not retry TLS failures and says how to fix them', async () => {
    const m = mockRegistry();
    m.pool()
      .intercept({ path: '/v2/', method: 'GET' })
      .replyWithError(
        Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      );
    const err = await m.client.send(get('/v2/')).catch((e) => e);
    expect(isOcicatError(err, 'TLS')).toBe(true);
    expect(err.hint).toContain('--ca-file');
  });

  it('follows a blob redirect to another host without the Authorization header', async () => {
    const m = mockRegistry({ logins: { [REGISTRY]: { username: 'u', password: 'p' } } });
    const p = m.pool();
    p.intercept({ path: '/v2/a/blobs/sha256:x', method: 'GET' }).reply(401, '', {
      headers: { 'www-authenticate': 'Basic realm="r"' },
    });
    p.intercept({ path: '/v2/a/blobs/sha256:x', method: 'GET' }).reply((o) => {
      expect(m.record(o).authorization).toMatch(/^Basic /);
      return {
        statusCode: 307,
        data: '',
        responseOptions: { headers: { location: 'https://cdn.test/blob?X-Amz-Signature=sig' } },
      };
    });
    m.pool('https://cdn.test')
      .intercept({ path: '/blob?X-Amz-Signature=sig', method: 'GET' })
      .reply((o) => {
        expect(m.record(o).authorization).toBeUndefined();
        return { statusCode: 200, data: 'bytes' };
      });
    const res = await m.client.send(get('/v2/a/blobs/sha256:x'));
    expect((await readBody(res, 100)).toString()).toBe('bytes');
    expect(m.logs.join('\n')).not.toMatch(/Signature=sig/);
    expect(m.logs.some((l) => l.includes('X-Amz-Signature=%5Bredacted%5D'))).toBe(true);
  });
});

describe('error bodies and pagination', () => {
  it('parses the OCI error body into a typed error', async () => {
    const m = mockRegistry();
    m.pool()
      .intercept({ path: '/v2/a/manifests/1', method: 'GET' })
      .reply(
        404,
        JSON.stringify({
          errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: '1' } }],
        }),
      );
    const err = await m.client.expect(get('/v2/a/manifests/1'), [200]).catch((e) => e);
    expect(isRegistryError(err, 404)).toBe(true);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.has('MANIFEST_UNKNOWN')).toBe(true);
    expect(err.message).toBe('GET https://reg.test/v2/a/manifests/1: 404 MANIFEST_UNKNOWN: manifest unknown');
  });

  it.each([
    ['<html><title>502 Bad Gateway</title></html>', '502 Bad Gateway'],
    ['{"errors":"nope"}', '{"errors":"nope"}'],
    ['{"errors":[42, {"code":7}]}', 'UNKNOWN'],
    ['', 'no details'],
  ])('survives an odd error body %j', async (body, fragment) => {
    const m = mockRegistry();
    m.pool().intercept({ path: '/v2/a/manifests/1', method: 'GET' }).reply(400, body);
    const err = await m.client.expect(get('/v2/a/manifests/1'), [200]).catch((e) => e);
    expect(isRegistryError(err, 400)).toBe(true);
    expect(err.message).toContain(fragment);
  });

  it('follows Link pagination and falls back to last= when a full page has no Link', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: '/v2/a/tags/list?n=2', method: 'GET' }).reply(200, '{"tags":["a","b"]}', {
      headers: { link: '</v2/a/tags/list?n=2&last=b>; rel="next"' },
    });
    p.intercept({ path: '/v2/a/tags/list?n=2&last=b', method: 'GET' }).reply(200, '{"tags":["c","d"]}');
    p.intercept({ path: '/v2/a/tags/list?n=2&last=d', method: 'GET' }).reply(200, '{"tags":["e"]}');
    const repo = { client: m.client, registry: REGISTRY, repository: 'a' };
    expect(await listTags(repo, { pageSize: 2 })).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('stops when a registry ignores last= and repeats itself (distribution 2.8)', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: /^\/v2\/a\/tags\/list/, method: 'GET' })
      .reply(200, '{"tags":["a","b"]}')
      .times(2);
    expect(
      await listTags({ client: m.client, registry: REGISTRY, repository: 'a' }, { pageSize: 2 }),
    ).toEqual(['a', 'b']);
  });

  it('refuses a tags answer that is not a list of strings', async () => {
    const m = mockRegistry();
    m.pool()
      .intercept({ path: /^\/v2\/a\/tags\/list/, method: 'GET' })
      .reply(200, '{"tags":[1]}');
    await expect(listTags({ client: m.client, registry: REGISTRY, repository: 'a' })).rejects.toThrow(
      /list of strings/,
    );
  });
});

describe('token expiry', () => {
  it('fetches a fresh token once when the registry refuses the cached one', async () => {
    const m = mockRegistry();
    const p = m.pool();
    let issued = 0;
    p.intercept({ path: /^\/token/, method: 'GET' })
      .reply(() => ({ statusCode: 200, data: JSON.stringify({ token: `t${++issued}`, expires_in: 3600 }) }))
      .times(2);
    // t1 works once, then "expires"; t2 works
    let t1Uses = 0;
    p.intercept({ path: '/v2/a/tags/list', method: 'GET' })
      .reply((o) => {
        const auth = m.record(o).authorization;
        if (auth === 'Bearer t1' && t1Uses++ === 0) return { statusCode: 200, data: '{}' };
        if (auth === 'Bearer t2') return { statusCode: 200, data: '{}' };
        return {
          statusCode: 401,
          data: '',
          responseOptions: { headers: { 'www-authenticate': `${BEARER},error="invalid_token"` } },
        };
      })
      .times(4);
    expect((await m.client.expect(get('/v2/a/tags/list'), [200])).status).toBe(200);
    expect((await m.client.expect(get('/v2/a/tags/list'), [200])).status).toBe(200);
    expect(issued).toBe(2);
  });

  it('gives up with UNAUTHORIZED when even a fresh token is refused', async () => {
    const m = mockRegistry();
    const p = m.pool();
    p.intercept({ path: /^\/token/, method: 'GET' })
      .reply(200, '{"token":"never-good"}')
      .persist();
    p.intercept({ path: '/v2/a/tags/list', method: 'GET' })
      .reply(401, '', { headers: { 'www-authenticate': BEARER } })
      .persist();
    const err = await m.client.expect(get('/v2/a/tags/list'), [200]).catch((e) => e);
    expect(isOcicatError(err, 'UNAUTHORIZED')).toBe(true);
    expect(err.message).not.toContain('never-good');
  });
});
