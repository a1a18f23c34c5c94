// Which proxy a request goes through, from the environment, as Go's
// net/http.ProxyFromEnvironment decides it (golang.org/x/net/http/httpproxy),
// so that ocicat and the Go tools it runs beside (oras, crane, regctl, skopeo,
// helm) leave a corporate network the same way:
// - HTTPS_PROXY for https requests, HTTP_PROXY for http ones (the upper-case
//   name first, then the lower-case one); a value without a scheme is http://;
// - never for "localhost" or a loopback address;
// - NO_PROXY (or no_proxy): comma-separated; "*" bypasses the proxy for every
//   host; an IP address or a CIDR block matches IP hosts; "example.com" matches
//   it and its subdomains, ".example.com" (or "*.example.com") its subdomains
//   only; ":port" after either narrows it to that port.
import { BlockList, isIP } from 'node:net';
import { OcicatError } from '../errors.ts';

export interface ProxySettings {
  http?: URL;
  https?: URL;
  /** Whether a host:port is exempt (NO_PROXY). */
  bypass: (host: string, port: string) => boolean;
}

/** A proxy URL as it may be printed: the password replaced. */
export function describeProxy(proxy: URL | string): string {
  if (typeof proxy === 'string') return proxy.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  const u = new URL(proxy.href);
  if (u.password) u.password = '***';
  return u.href.replace(/\/$/, '');
}

function proxyUrl(name: string, value: string): URL {
  // a value with no scheme ("host:3128") is http://, as in Go
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new OcicatError('INVALID_ARGUMENT', `${name} "${describeProxy(value)}" is not a proxy URL`, {
      hint: `set ${name} to http://[user:password@]host:port`,
    });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new OcicatError(
      'INVALID_ARGUMENT',
      `${name} ${describeProxy(u)}: only http and https proxies are supported`,
    );
  if (!u.hostname)
    throw new OcicatError('INVALID_ARGUMENT', `${name} "${describeProxy(value)}" names no host`, {
      hint: `set ${name} to http://[user:password@]host:port`,
    });
  return u;
}

function fromEnv(env: NodeJS.ProcessEnv, upper: string): { name: string; value: string } | undefined {
  for (const name of [upper, upper.toLowerCase()]) {
    const value = env[name];
    if (value) return { name, value };
  }
  return undefined;
}

const stripBrackets = (h: string) => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);

function noProxyMatcher(spec: string): (host: string, port: string) => boolean {
  const ips = new BlockList();
  const domains: { suffix: string; exact: boolean; port: string }[] = [];
  let all = false;
  for (const raw of spec.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') {
      all = true;
      continue;
    }
    const cidr = entry.match(/^([^/]+)\/(\d+)$/);
    if (cidr && isIP(cidr[1]!)) {
      ips.addSubnet(cidr[1]!, Number(cidr[2]), isIP(cidr[1]!) === 6 ? 'ipv6' : 'ipv4');
      continue;
    }
    if (isIP(stripBrackets(entry))) {
      const ip = stripBrackets(entry);
      ips.addAddress(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
      continue;
    }
    // host[:port], [v6]:port
    const hp = entry.match(/^(.*?)(?::(\d+))?$/)!;
    let host = stripBrackets(hp[1]!);
    const port = hp[2] ?? '';
    if (isIP(host)) {
      // an address with a port: Go matches the address, ignoring the port
      ips.addAddress(host, isIP(host) === 6 ? 'ipv6' : 'ipv4');
      continue;
    }
    if (host.startsWith('*.')) host = host.slice(1);
    if (host.startsWith('.')) domains.push({ suffix: host, exact: false, port });
    else domains.push({ suffix: `.${host}`, exact: true, port });
  }
  return (host, port) => {
    if (all) return true;
    const h = stripBrackets(host.toLowerCase());
    const v = isIP(h);
    if (v) return ips.check(h, v === 6 ? 'ipv6' : 'ipv4');
    return domains.some(
      (d) => (h.endsWith(d.suffix) || (d.exact && h === d.suffix.slice(1))) && (!d.port || d.port === port),
    );
  };
}

/** The proxy settings of an environment; a malformed proxy URL is an error naming its variable. */
export function proxySettings(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const http = fromEnv(env, 'HTTP_PROXY');
  const https = fromEnv(env, 'HTTPS_PROXY');
  const no = fromEnv(env, 'NO_PROXY');
  return {
    ...(http ? { http: proxyUrl(http.name, http.value) } : {}),
    ...(https ? { https: proxyUrl(https.name, https.value) } : {}),
    bypass: noProxyMatcher(no?.value ?? ''),
  };
}

function isLoopback(host: string): boolean {
  const h = stripBrackets(host.toLowerCase());
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** The proxy for a request URL, or undefined to connect directly. */
export function proxyFor(settings: ProxySettings, target: URL): URL | undefined {
  const proxy = target.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return undefined;
  if (isLoopback(target.hostname)) return undefined;
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return settings.bypass(target.hostname, port) ? undefined : proxy;
}

/** The Proxy-Authorization header for a proxy URL with credentials. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

/** The passwords in the environment's proxy URLs (as written and decoded), for redaction; never throws. */
export function proxySecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    const m = env[name]?.match(/\/\/[^:/@]*:([^@/]*)@/);
    if (!m?.[1]) continue;
    out.push(m[1]);
    try {
      out.push(decodeURIComponent(m[1]));
    } catch {
      // not percent-encoded: as written
    }
  }
  return out;
}
