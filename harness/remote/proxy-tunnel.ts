// Through a proxy (proxy-env.ts): a CONNECT tunnel for an https registry (RFC 9110
// section 9.3.6), as Go's transport opens one; the caller then speaks TLS to the
// registry inside it. An http registry is asked through the proxy in absolute form
// (RFC 9112 section 3.2.2) by the callers themselves (transport.ts, socket-get.ts).
// Every failure names the proxy, its password replaced: one that cannot be reached,
// one that refuses the CONNECT (403, 407 without or with wrong credentials, 5xx),
// one that answers something that is not HTTP.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { OcicatError } from '../errors.ts';
import { describeProxy, proxyAuthorization } from './proxy-env.ts';
import { trusting } from './tls-trust.ts';

export interface TunnelOptions {
  /** CAs for an https proxy (the registry's CA file applies to the proxy too, as in Go). */
  ca?: string[];
  insecure?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The longest CONNECT answer head read. */
const MAX_HEAD = 16 * 1024;

/** TLS's server name for a host: none for an IP address (RFC 6066 section 3; Node warns). */
export function serverName(host: string): { servername?: string } {
  return isIP(host) ? {} : { servername: host };
}

/** The proxy's host and port to connect to. */
export function proxyEndpoint(proxy: URL): { host: string; port: number } {
  const host = proxy.hostname.startsWith('[') ? proxy.hostname.slice(1, -1) : proxy.hostname;
  return { host, port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80) };
}

/** A socket to the proxy (TLS for an https proxy), connected. */
export function connectProxy(proxy: URL, options: TunnelOptions): Socket {
  const { host, port } = proxyEndpoint(proxy);
  return proxy.protocol === 'https:'
    ? tlsConnect({
        host,
        port,
        ...serverName(host),
        ...trusting(options.ca),
        rejectUnauthorized: !options.insecure,
      })
    : netConnect({ host, port });
}

/** An error of a proxy that could not be used, naming it (never its password). */
export function proxyError(proxy: URL, what: string, cause?: unknown): OcicatError {
  return new OcicatError('PROXY', `proxy ${describeProxy(proxy)} ${what}`, {
    cause,
    hint: 'check HTTPS_PROXY, HTTP_PROXY and NO_PROXY',
  });
}

/** Why a proxy said 407, from what its URL carries. */
export function credentialsWanted(proxy: URL): string {
  return proxyAuthorization(proxy)
    ? ' (it refused the credentials in the proxy URL)'
    : ' (it wants credentials: http://user:password@host:port)';
}

/** Node's and OpenSSL's codes for a TLS failure (a certificate not trusted, a bad handshake). */
export const TLS_CODES =
  /^(CERT_|ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** A failure to connect to the proxy itself: unreachable, or (an https proxy) TLS refused. */
export function proxyConnectError(proxy: URL, e: NodeJS.ErrnoException): OcicatError {
  const code = e.code ?? e.message;
  if (TLS_CODES.test(e.code ?? ''))
    return new OcicatError('PROXY', `proxy ${describeProxy(proxy)}: TLS failed (${code})`, {
      cause: e,
      hint: 'pass --ca-file with the CA of the proxy (and of the registry, in one file)',
    });
  return proxyError(proxy, `cannot be reached (${code})`, e);
}

/** Open a tunnel to host:port through the proxy; resolves with the socket, paused, once the proxy said 200. */
export function openTunnel(proxy: URL, host: string, port: number, options: TunnelOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectProxy(proxy, options);
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    let head = Buffer.alloc(0);
    let connected = false;
    const fail = (e: OcicatError) => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    const onAbort = () => fail(new OcicatError('ABORTED', `CONNECT ${target}: aborted`));
    const timer = setTimeout(
      () => fail(proxyError(proxy, `did not answer CONNECT ${target} within ${options.timeoutMs / 1000} s`)),
      options.timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onError = (e: NodeJS.ErrnoException) =>
      fail(
        connected
          ? proxyError(proxy, `broke the CONNECT to ${target} (${e.code ?? e.message})`, e)
          : proxyConnectError(proxy, e),
      );
    const onClose = () => fail(proxyError(proxy, `closed the connection on CONNECT ${target}`));
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD)
          fail(proxyError(proxy, `answered CONNECT ${target} with an oversized head`));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const m = statusLine.match(/^HTTP\/1\.[01] (\d{3})(?: (.*))?$/);
      if (!m) {
        fail(proxyError(proxy, `answered CONNECT ${target} with something that is not HTTP`));
        return;
      }
      const status = Number(m[1]);
      if (status !== 200) {
        const reason = (m[2] ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 80);
        // 407 (RFC 9110 section 15.5.8); tinyproxy answers wrong credentials with 401
        const auth = status === 407 || status === 401 ? credentialsWanted(proxy) : '';
        fail(proxyError(proxy, `refused CONNECT ${target}: ${status}${reason ? ` ${reason}` : ''}${auth}`));
        return;
      }
      cleanup();
      socket.pause();
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('data', onData);
    socket.once(proxy.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      connected = true;
      const auth = proxyAuthorization(proxy);
      socket.write(
        `CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n${auth ? `proxy-authorization: ${auth}\r\n` : ''}\r\n`,
      );
    });
  });
}
