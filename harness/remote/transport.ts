// The HTTP transport for registry traffic, on node:http and node:https: keep-alive
// pools per origin, TLS with the system CAs plus an optional CA file (verification
// off only when asked, --insecure), a timeout for response headers and one for an
// idle body. node:http is part of Node's start-up snapshot and parses with the
// native llhttp; a fetch-style client would cost about 27 MiB more per process
// (measured, see reports/bench), which a CLI moving multi-GB layers cannot spare.
import { readFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, type PeerCertificate, rootCertificates, connect as tlsConnect } from 'node:tls';
import { OcicatError } from '../errors.ts';
import { http as nodeHttp } from '../util/node-http.ts';
import { drain, type HttpResponse } from './http.ts';
import { HttpParseError, MAX_INTERIM } from './http1-response.ts';
import { type ProxySettings, proxyAuthorization, proxyFor, proxySettings } from './proxy-env.ts';
import {
  credentialsWanted,
  openTunnel,
  proxyConnectError,
  proxyEndpoint,
  proxyError,
  serverName,
  TLS_CODES,
} from './proxy-tunnel.ts';
import { DEFAULT_RATE_FLOOR, type RateFloor, watchRate } from './rate-watch.ts';
import { type BodyContent, writeBody } from './request-body.ts';
import { SocketGet } from './socket-get.ts';
import { TimeoutError } from './timeout-error.ts';
import { trusting } from './tls-trust.ts';

const HttpAgent = nodeHttp.Agent;
type HttpAgent = InstanceType<typeof nodeHttp.Agent>;
const httpRequest = nodeHttp.request;

export interface TransportOptions {
  caFile?: string;
  insecure?: boolean;
  /** Connections per origin. */
  connections?: number;
  headersTimeoutMs?: number;
  /** Longest silence while a request or response body streams. */
  bodyTimeoutMs?: number;
  /** The slowest response body accepted (rate-watch.ts). */
  rateFloor?: RateFloor;
  /** Blob GETs on plain sockets (socket-get.ts); false sends them through node:http too. */
  socketReads?: boolean;
  /** The proxies to use (proxy-env.ts); default: HTTPS_PROXY, HTTP_PROXY and NO_PROXY of the environment. */
  proxies?: ProxySettings;
}

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: BodyContent;
  signal?: AbortSignal;
  /** A large body is expected (a blob GET): the transport may read it its fastest way. */
  bulk?: boolean;
}

/** One round trip: resolves with the response head; the caller reads or drains the body. */
export interface Transport {
  request(req: TransportRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/**
 * Per request (README "Timeouts and limits"): the response head must come within
 * DEFAULT_HEADERS_TIMEOUT of the request having been sent (a registry that never
 * answers used to hold a pull for 6 x 300 s, issue 18); no body, either way, may
 * be silent for DEFAULT_BODY_TIMEOUT; a response body must average the rate floor.
 */
export const DEFAULT_HEADERS_TIMEOUT = 60_000;
export const DEFAULT_BODY_TIMEOUT = 60_000;

export function readCa(caFile: string): string[] {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw new OcicatError('INVALID_ARGUMENT', `cannot read CA file ${caFile}: ${(e as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new OcicatError('INVALID_ARGUMENT', `CA file ${caFile} holds no PEM certificate`);
  }
  return [...rootCertificates, pem];
}

/** `ca`: the CA file already read (readCa), so that a caller sharing it reads it once. */
export function createTransport(
  options: TransportOptions = {},
  ca: string[] | undefined = options.caFile ? readCa(options.caFile) : undefined,
): Transport {
  const pool = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: options.connections ?? 16 };
  const http = new HttpAgent(pool);
  const https = new HttpsAgent({ ...pool, ...trusting(ca), rejectUnauthorized: !options.insecure });
  // read at the first request: a command that sends none (package) does not fail on a bad variable
  let settings = options.proxies;
  const proxies = () => {
    settings ??= proxySettings();
    return settings;
  };
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT;
  const bodyTimeout = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT;
  const sockets =
    options.socketReads === false
      ? undefined
      : new SocketGet({
          ...(ca ? { ca } : {}),
          insecure: options.insecure ?? false,
          headersTimeoutMs: headersTimeout,
          bodyTimeoutMs: bodyTimeout,
          ...(options.rateFloor ? { rateFloor: options.rateFloor } : {}),
          maxIdle: pool.maxSockets,
          proxies,
        });
  // Through a proxy: an agent per proxy URL, for https registries (CONNECT tunnels)
  // and for http ones (absolute-form requests to the proxy).
  const tunnels = new Map<string, HttpsAgent>();
  const forwards = new Map<string, HttpAgent>();
  const tunnelAgent = (proxy: URL): HttpsAgent => {
    let a = tunnels.get(proxy.href);
    if (!a) {
      a = new TunnelAgent(
        proxy,
        { ...pool, ...trusting(ca), rejectUnauthorized: !options.insecure },
        {
          ...(ca ? { ca } : {}),
          insecure: options.insecure ?? false,
          timeoutMs: headersTimeout,
        },
      );
      tunnels.set(proxy.href, a);
    }
    return a;
  };
  const forwardAgent = (proxy: URL): HttpAgent => {
    let a = forwards.get(proxy.href);
    if (!a) {
      // A connection per request: proxies that answer HTTP/1.1 without "Connection:
      // close" and then close (tinyproxy 1.11) would break the next request sent on it.
      const once = { keepAlive: false, maxSockets: pool.maxSockets };
      a =
        proxy.protocol === 'https:'
          ? new HttpsAgent({ ...once, ...trusting(ca), rejectUnauthorized: !options.insecure })
          : new HttpAgent(once);
      forwards.set(proxy.href, a);
    }
    return a;
  };

  const request = async (req: TransportRequest): Promise<HttpResponse> => {
    const res = await (req.bulk && sockets && req.method === 'GET' && req.body === undefined
      ? sockets.request(req)
      : nodeRequest(req));
    // 407 is the proxy's answer to an http registry's request (an https one's comes to the CONNECT)
    const proxy = res.status === 407 ? proxyFor(proxies(), new URL(req.url)) : undefined;
    if (proxy) {
      await drain(res);
      throw proxyError(
        proxy,
        `refused ${req.method} ${new URL(req.url).host}: 407${credentialsWanted(proxy)}`,
      );
    }
    return res;
  };

  const nodeRequest = (req: TransportRequest): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const u = new URL(req.url);
      const secure = u.protocol === 'https:';
      const proxy = proxyFor(proxies(), u);
      let answered = false;
      const signal = req.signal ? { signal: req.signal } : {};
      let r: ClientRequest;
      if (proxy && !secure) {
        // absolute form to the proxy (RFC 9112 section 3.2.2); the host header names the registry
        const { host, port } = proxyEndpoint(proxy);
        const auth = proxyAuthorization(proxy);
        r = (proxy.protocol === 'https:' ? httpsRequest : httpRequest)({
          host,
          port,
          // TLS to the proxy: its name, not the registry's the host header carries
          // (node:https checks the certificate against that header otherwise)
          ...(proxy.protocol === 'https:'
            ? {
                ...serverName(host),
                checkServerIdentity: (_: string, cert: PeerCertificate) => checkServerIdentity(host, cert),
              }
            : {}),
          method: req.method,
          path: u.href,
          headers: { host: u.host, ...req.headers, ...(auth ? { 'proxy-authorization': auth } : {}) },
          agent: forwardAgent(proxy),
          ...signal,
        });
      } else {
        r = (secure ? httpsRequest : httpRequest)(u, {
          method: req.method,
          headers: req.headers,
          agent: secure ? (proxy ? tunnelAgent(proxy) : https) : http,
          ...signal,
        });
      }
      // While the request body goes out, silence is the limit; once it is sent, the
      // head must come within headersTimeout (a large upload takes what it takes).
      r.setTimeout(bodyTimeout, () => r.destroy(new TimeoutError('OCICAT_BODY_TIMEOUT', bodyTimeout)));
      let timer: NodeJS.Timeout | undefined;
      const sent = () => {
        if (answered) return;
        timer = setTimeout(
          () => r.destroy(new TimeoutError('OCICAT_HEADERS_TIMEOUT', headersTimeout)),
          headersTimeout,
        );
      };
      // 1xx answers (node:http emits them as 'information'): a few, not a stream
      let interim = 0;
      r.on('information', () => {
        if (++interim > MAX_INTERIM)
          r.destroy(new HttpParseError(`more than ${MAX_INTERIM} interim (1xx) answers`));
      });
      r.once('response', (res: IncomingMessage) => {
        answered = true;
        clearTimeout(timer);
        r.setTimeout(0);
        // idle timeout on the body; the socket goes back to the pool when the body ends
        res.setTimeout(bodyTimeout, () => res.destroy(new TimeoutError('OCICAT_BODY_TIMEOUT', bodyTimeout)));
        const socket = res.socket;
        const stop = watchRate(
          {
            bytes: () => socket?.bytesRead ?? 0,
            heldBack: () => res.isPaused() || res.readableLength >= res.readableHighWaterMark,
          },
          options.rateFloor ?? DEFAULT_RATE_FLOOR,
          (e) => res.destroy(e),
        );
        res.once('close', stop);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: res,
          url: req.url,
          method: req.method,
        });
      });
      r.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // After the head arrived an error belongs to the body (the response stream reports it).
        if (answered) return;
        // a proxy nobody answers at (or whose TLS fails) is the proxy's failure, not the registry's
        const code = e.code ?? '';
        if (
          proxy &&
          !secure &&
          !r.socket?.bytesRead &&
          (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ECONNRESET)$/.test(code) || TLS_CODES.test(code))
        )
          reject(proxyConnectError(proxy, e));
        else reject(e);
      });
      // A registry may answer before reading the whole body (413, 401): writeBody stops then.
      writeBody(r, req.body).then(sent, (e: unknown) => {
        if (!r.destroyed) r.destroy(e as Error);
      });
    });

  return {
    request,
    async close() {
      sockets?.close();
      http.destroy();
      https.destroy();
      for (const a of [...tunnels.values(), ...forwards.values()]) a.destroy();
    },
  };
}

/**
 * An https agent whose connections are CONNECT tunnels through a proxy, with TLS
 * to the registry inside (proxy-tunnel.ts). Node's agent takes a connection from
 * createConnection's callback when it returns none; keep-alive pools the tunnels
 * per registry as it pools direct connections.
 */
class TunnelAgent extends HttpsAgent {
  private readonly proxy: URL;
  private readonly tunnel: Parameters<typeof openTunnel>[3];

  constructor(
    proxy: URL,
    agent: ConstructorParameters<typeof HttpsAgent>[0],
    tunnel: Parameters<typeof openTunnel>[3],
  ) {
    super(agent);
    this.proxy = proxy;
    this.tunnel = tunnel;
  }

  override createConnection(
    o: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    const host = o.host ?? 'localhost';
    openTunnel(this.proxy, host, Number(o.port) || 443, this.tunnel).then(
      (raw) => {
        const socket = tlsConnect({
          socket: raw,
          ...serverName((o as { servername?: string }).servername || host),
          ...trusting(this.tunnel.ca),
          rejectUnauthorized: !this.tunnel.insecure,
          ALPNProtocols: ['http/1.1'],
        });
        callback?.(null, socket);
      },
      (e: Error) => callback?.(e, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

const TIMEOUT_CODES = new Set([
  'OCICAT_HEADERS_TIMEOUT',
  'OCICAT_BODY_TIMEOUT',
  'OCICAT_BODY_TOO_SLOW',
  'ETIMEDOUT',
  // the codes of undici, which the test double in harness/testing speaks
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Map a low-level failure to a typed error. Returns the error and whether a retry may help. */
export function classifyNetworkError(e: unknown, what: string): { error: OcicatError; retryable: boolean } {
  if (e instanceof OcicatError) return { error: e, retryable: e.code === 'NETWORK' || e.code === 'TIMEOUT' };
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code ?? '';
  const message = err?.cause?.message ?? err?.message ?? String(e);
  if (err?.name === 'AbortError' || code === 'ABORT_ERR') {
    return { error: new OcicatError('ABORTED', `${what}: aborted`, { cause: e }), retryable: false };
  }
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(message)) {
    return {
      error: new OcicatError('TLS', `${what}: TLS failed (${code || message})`, {
        cause: e,
        hint: 'pass --ca-file with the registry CA, --insecure to skip verification, or --plain-http for HTTP',
      }),
      retryable: false,
    };
  }
  // A malformed answer is malformed again when asked again: never retried (issue 18).
  if (code === 'OCICAT_HTTP_PARSE' || code.startsWith('HPE_')) {
    return {
      error: new OcicatError('PROTOCOL', `${what}: malformed HTTP answer (${message})`, { cause: e }),
      retryable: false,
    };
  }
  // Nothing listens there. At first contact that is a stopped registry, and retries
  // only cost the user seconds of silence; once the registry answered in this run, it
  // is one restarting, and the caller retries (client.ts: `reached`).
  if (code === 'ECONNREFUSED') {
    return {
      error: new OcicatError('NETWORK', `${what}: connection refused (ECONNREFUSED)`, {
        cause: e,
        hint: 'is the registry running, and at this host and port?',
      }),
      retryable: false,
    };
  }
  if (TIMEOUT_CODES.has(code)) {
    return {
      error: new OcicatError('TIMEOUT', `${what}: timed out (${message})`, { cause: e }),
      retryable: true,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      error: new OcicatError('NETWORK', `${what}: host not found`, { cause: e }),
      retryable: code === 'EAI_AGAIN',
    };
  }
  return {
    error: new OcicatError('NETWORK', `${what}: ${code ? `${code} ` : ''}${message}`.trim(), { cause: e }),
    retryable: true,
  };
}
