// proxy-env.ts against the cases of Go's golang.org/x/net/http/httpproxy tests
// (ProxyFromEnvironment): which variable applies, loopback, and NO_PROXY forms.
import { describe, expect, it } from 'vitest';
import { OcicatError } from '../errors.ts';
import { describeProxy, proxyAuthorization, proxyFor, proxySecrets, proxySettings } from './proxy-env.ts';

const via = (env: NodeJS.ProcessEnv, url: string) => proxyFor(proxySettings(env), new URL(url))?.href;

describe('which proxy a request takes', () => {
  it('HTTPS_PROXY for https, HTTP_PROXY for http; upper case before lower case', () => {
    const env = { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2', https_proxy: 'http://lower:3' };
    expect(via(env, 'https://reg.example/v2/')).toBe('http://s:1/');
    expect(via(env, 'http://reg.example/v2/')).toBe('http://p:2/');
    expect(via({ https_proxy: 'http://lower:3' }, 'https://reg.example/')).toBe('http://lower:3/');
    expect(via({ HTTP_PROXY: 'http://p:2' }, 'https://reg.example/')).toBeUndefined();
  });

  it('a proxy without a scheme is http://', () => {
    expect(via({ HTTPS_PROXY: 'proxy.corp:3128' }, 'https://reg.example/')).toBe('http://proxy.corp:3128/');
    expect(via({ HTTPS_PROXY: '10.0.0.1:3128' }, 'https://reg.example/')).toBe('http://10.0.0.1:3128/');
  });

  it('never for localhost or a loopback address (as Go)', () => {
    const env = { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://s:1' };
    for (const u of [
      'http://localhost:5000/',
      'http://127.0.0.1:5000/',
      'https://127.9.9.9/',
      'http://[::1]:5000/',
    ])
      expect(via(env, u), u).toBeUndefined();
    expect(via(env, 'http://localhost.example:5000/')).toBe('http://s:1/');
  });

  it('NO_PROXY: *, hosts and their subdomains, .domains, ports, IPs and CIDR blocks', () => {
    const p = 'http://s:1/';
    const env = (no: string) => ({ HTTPS_PROXY: p, HTTP_PROXY: p, NO_PROXY: no });
    expect(via(env('*'), 'https://anything.example/')).toBeUndefined();
    // a host matches itself and its subdomains
    expect(via(env('example.com'), 'https://example.com/')).toBeUndefined();
    expect(via(env('example.com'), 'https://reg.example.com/')).toBeUndefined();
    expect(via(env('example.com'), 'https://notexample.com/')).toBe(p);
    // a leading dot (or *.) matches subdomains only
    expect(via(env('.example.com'), 'https://example.com/')).toBe(p);
    expect(via(env('.example.com'), 'https://reg.example.com/')).toBeUndefined();
    expect(via(env('*.example.com'), 'https://reg.example.com/')).toBeUndefined();
    // a port narrows it; the default port counts
    expect(via(env('reg.example:5000'), 'https://reg.example:5000/')).toBeUndefined();
    expect(via(env('reg.example:5000'), 'https://reg.example:5001/')).toBe(p);
    expect(via(env('reg.example:443'), 'https://reg.example/')).toBeUndefined();
    // IPs and CIDR blocks
    expect(via(env('10.1.2.3'), 'http://10.1.2.3:5000/')).toBeUndefined();
    expect(via(env('10.0.0.0/8'), 'http://10.200.0.1/')).toBeUndefined();
    expect(via(env('10.0.0.0/8'), 'http://11.0.0.1/')).toBe(p);
    expect(via(env('fd00::/8'), 'https://[fd00::2]:5000/')).toBeUndefined();
    // lists with spaces, upper case, empty entries
    expect(via(env(' foo.example , REG.Example ,,'), 'https://reg.example/')).toBeUndefined();
    expect(via({ HTTPS_PROXY: p, no_proxy: 'reg.example' }, 'https://reg.example/')).toBeUndefined();
  });

  it('a malformed or unsupported proxy URL is an input error naming the variable, its password hidden', () => {
    const bad = (env: NodeJS.ProcessEnv) => {
      try {
        proxySettings(env);
      } catch (e) {
        expect(e).toBeInstanceOf(OcicatError);
        expect((e as OcicatError).isInput).toBe(true);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    const m = bad({ HTTPS_PROXY: 'http://user:s3cret-pw@[bad' });
    expect(m).toMatch(/^HTTPS_PROXY "http:\/\/user:\*\*\*@\[bad" is not a proxy URL$/);
    expect(bad({ http_proxy: 'socks5://user:s3cret-pw@h:1080' })).toMatch(
      /^http_proxy socks5:\/\/user:\*\*\*@h:1080: only http and https/,
    );
  });

  it('credentials in the proxy URL: a Basic header, percent-decoded; their password listed for scrubbing', () => {
    const u = new URL('http://us%40er:p%3Ass@proxy:3128');
    expect(proxyAuthorization(u)).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    expect(proxyAuthorization(new URL('http://proxy:3128'))).toBeUndefined();
    expect(describeProxy(u)).toBe('http://us%40er:***@proxy:3128');
    expect(proxySecrets({ HTTPS_PROXY: 'http://u:p%3Ass@proxy:3128' })).toEqual(['p%3Ass', 'p:ss']);
  });
});
