// Blob GETs on plain sockets. node:http hands every 64 KiB of a body to a new
// Buffer, through a stream, to a consumer that copies it again: receiving 1 GiB
// cost 0.7 s of CPU before any hashing (measured, reports/bench). Here each
// connection reads into one reused buffer (net's `onread`), the response is
// parsed by http1-response.ts, and body bytes go straight to the consumer's sink
// as views of that buffer (`deliver`): the same 1 GiB costs about 0.1 s. A body
// read as a stream (`body`, for error texts, drains and registry-to-registry
// copies) gets copies, with backpressure. Only GETs without a body come here;
// node:http carries everything else (transport.ts).
import { connect as netConnect, type OnReadOpts, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { BodySink, HttpResponse } from './http.ts';
import { type ResponseHead, ResponseParser } from './http1-response.ts';
import { type ProxySettings, proxyAuthorization, proxyFor } from './proxy-env.ts';
import { openTunnel, proxyConnectError, proxyEndpoint, serverName } from './proxy-tunnel.ts';
import { DEFAULT_RATE_FLOOR, type RateFloor, watchRate } from './rate-watch.ts';
import { abortError, TimeoutError } from './timeout-error.ts';
import { trusting } from './tls-trust.ts';

export interface SocketGetOptions {
  ca?: string[];
  insecure?: boolean;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** The slowest body accepted (rate-watch.ts); default DEFAULT_RATE_FLOOR. */
  rateFloor?: RateFloor;
  /** Idle connections kept per origin. */
  maxIdle: number;
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY (proxy-env.ts); none: connect directly. */
  proxies?: () => ProxySettings;
}

export interface SocketGetRequest {
  url: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

/** Each connection's read buffer: large enough for few reads, small enough to stay in cache. */
export const READ_BUFFER = 128 * 1024;

export class SocketGet {
  private readonly options: SocketGetOptions;
  private readonly idle = new Map<string, Connection[]>();

  constructor(options: SocketGetOptions) {
    this.options = options;
  }

  async request(req: SocketGetRequest): Promise<HttpResponse> {
    const u = new URL(req.url);
    const proxy = this.options.proxies ? proxyFor(this.options.proxies(), u) : undefined;
    // an http registry through a proxy is asked in absolute form (RFC 9112 section 3.2.2)
    const head = requestHead(u, req.headers, u.protocol === 'http:' ? proxy : undefined);
    const kept = this.takeIdle(u.origin);
    if (kept) {
      try {
        return await new Exchange(kept, req, this.options, this).start(head);
      } catch (e) {
        // The server closed a kept connection as we reused it: nothing of the
        // answer arrived, so the GET is sent again on a new connection.
        if (!(e instanceof StaleConnection)) throw e;
      }
    }
    const conn = proxy ? await this.openProxied(u, proxy, req.signal) : this.open(u);
    return new Exchange(conn, req, this.options, this).start(head);
  }

  /** Close the idle connections (those in use end with their exchange). */
  close(): void {
    for (const list of this.idle.values()) for (const c of list) c.socket.destroy();
    this.idle.clear();
  }

  /** Called by an exchange that ended cleanly on a connection that may carry another. */
  keep(conn: Connection): void {
    const list = this.idle.get(conn.origin) ?? [];
    if (list.length >= this.options.maxIdle || conn.socket.destroyed) {
      conn.socket.destroy();
      return;
    }
    conn.socket.setTimeout(0);
    if (conn.socket.isPaused()) conn.socket.resume(); // reading, so a close by the server is seen
    conn.socket.unref();
    list.push(conn);
    this.idle.set(conn.origin, list);
  }

  forget(conn: Connection): void {
    const list = this.idle.get(conn.origin);
    const at = list?.indexOf(conn) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
  }

  private takeIdle(origin: string): Connection | undefined {
    const list = this.idle.get(origin);
    for (let c = list?.pop(); c; c = list?.pop()) {
      if (!c.socket.destroyed) {
        c.socket.ref();
        return c;
      }
    }
    return undefined;
  }

  private open(u: URL): Connection {
    const secure = u.protocol === 'https:';
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const port = Number(u.port) || (secure ? 443 : 80);
    const conn = new Connection(u.origin, this);
    const onread: OnReadOpts = {
      buffer: Buffer.allocUnsafeSlow(READ_BUFFER),
      callback: (n: number, buf: Uint8Array) => conn.data((buf as Buffer).subarray(0, n)),
    };
    const socket = secure
      ? tlsConnect({
          host,
          port,
          ...serverName(host),
          ...trusting(this.options.ca),
          rejectUnauthorized: !this.options.insecure,
          ALPNProtocols: ['http/1.1'],
          // TLS sockets take `onread` too (net.Socket options), though @types/node omits it
          onread,
        } as ConnectionOptions)
      : netConnect({ host, port, onread });
    conn.attach(socket);
    return conn;
  }

  /**
   * A connection through a proxy: to the proxy itself for an http registry, a
   * CONNECT tunnel and TLS inside it for an https one. TLS over a tunnel cannot
   * read into the connection's buffer (Node ignores `onread` for a TLS socket
   * made over another socket), so its bytes come as 'data' chunks.
   */
  private async openProxied(u: URL, proxy: URL, signal: AbortSignal | undefined): Promise<Connection> {
    const conn = new Connection(u.origin, this, proxy);
    const tunnel = {
      ...(this.options.ca ? { ca: this.options.ca } : {}),
      insecure: this.options.insecure ?? false,
    };
    if (u.protocol === 'http:') {
      const { host, port } = proxyEndpoint(proxy);
      const onread: OnReadOpts = {
        buffer: Buffer.allocUnsafeSlow(READ_BUFFER),
        callback: (n: number, buf: Uint8Array) => conn.data((buf as Buffer).subarray(0, n)),
      };
      const socket =
        proxy.protocol === 'https:'
          ? tlsConnect({
              host,
              port,
              ...serverName(host),
              ...trusting(this.options.ca),
              rejectUnauthorized: !this.options.insecure,
              onread,
            } as ConnectionOptions)
          : netConnect({ host, port, onread });
      conn.attach(socket);
      return conn;
    }
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const port = Number(u.port) || 443;
    const raw = await openTunnel(proxy, host, port, {
      ...tunnel,
      timeoutMs: this.options.headersTimeoutMs,
      ...(signal ? { signal } : {}),
    });
    const socket = tlsConnect({
      socket: raw,
      ...serverName(host),
      ...trusting(this.options.ca),
      rejectUnauthorized: !this.options.insecure,
      ALPNProtocols: ['http/1.1'],
    });
    conn.attach(socket, true);
    socket.on('data', (chunk: Buffer) => {
      if (!conn.data(chunk)) socket.pause();
    });
    return conn;
  }
}

function requestHead(u: URL, headers: Record<string, string>, viaProxy?: URL): string {
  const lines = [viaProxy ? `GET ${u.href} HTTP/1.1` : `GET ${u.pathname}${u.search} HTTP/1.1`];
  const auth = viaProxy && proxyAuthorization(viaProxy);
  if (auth) lines.push(`proxy-authorization: ${auth}`);
  // one request per connection to a proxy (transport.ts says why)
  if (viaProxy) lines.push('connection: close');
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) lines.push(`host: ${u.host}`);
  for (const [k, v] of Object.entries(headers)) {
    // a CR or LF would start a header (or a request) of someone else's choosing
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v))
      throw new TypeError(`header ${k.slice(0, 40)} holds a line break`);
    lines.push(`${k}: ${v}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

class StaleConnection extends Error {}

/** One socket and the exchange it is carrying, if any. */
class Connection {
  readonly origin: string;
  socket!: Socket;
  exchange: Exchange | undefined;
  /** Exchanges completed on this connection. */
  served = 0;
  private readonly pool: SocketGet;
  /** The proxy this connection goes through: an error before it connected is the proxy's. */
  private readonly proxy: URL | undefined;
  private connected = false;

  constructor(origin: string, pool: SocketGet, proxy?: URL) {
    this.origin = origin;
    this.pool = pool;
    this.proxy = proxy;
  }

  /** `connected`: the socket is already connected (TLS over a tunnel the proxy opened). */
  attach(socket: Socket, connected = false): void {
    this.socket = socket;
    this.connected = connected;
    socket.setNoDelay(true);
    socket.once('connect', () => {
      this.connected = true;
    });
    socket.on('error', (e: NodeJS.ErrnoException) =>
      this.exchange?.fail(this.proxy && !this.connected ? proxyConnectError(this.proxy, e) : e),
    );
    socket.on('timeout', () => this.exchange?.timedOut());
    socket.on('close', () => {
      if (this.exchange) this.exchange.closed();
      else this.pool.forget(this);
    });
  }

  /** The onread callback: false pauses the socket. */
  data(chunk: Buffer): boolean {
    if (this.exchange) return this.exchange.data(chunk);
    // bytes on an idle connection answer nothing we asked: drop the connection
    this.socket.destroy();
    return false;
  }
}

type Mode = 'head' | 'pending' | 'sink' | 'stream';
type Sink = BodySink;

/** One request and its response on a connection. */
class Exchange {
  private readonly conn: Connection;
  private readonly req: SocketGetRequest;
  private readonly options: SocketGetOptions;
  private readonly pool: SocketGet;
  private readonly parser: ResponseParser;
  private head: ResponseHead | undefined;
  private mode: Mode = 'head';
  /** Body bytes that arrived before the consumer chose how to read (copies). */
  private queue: Buffer[] = [];
  private paused = false;
  private finished = false;
  private failure: Error | undefined;
  private sink: Sink | undefined;
  private settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private answer: { resolve: (r: HttpResponse) => void; reject: (e: Error) => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopRate: (() => void) | undefined;
  private readonly onAbort = () => this.fail(abortError());
  readonly body: Readable;

  constructor(conn: Connection, req: SocketGetRequest, options: SocketGetOptions, pool: SocketGet) {
    this.conn = conn;
    this.req = req;
    this.options = options;
    this.pool = pool;
    this.parser = new ResponseParser({
      head: (h) => this.onHead(h),
      body: (s) => this.onBody(s),
      done: () => {},
    });
    this.body = new Readable({
      highWaterMark: 4 * READ_BUFFER,
      read: () => this.pull(),
      destroy: (err, cb) => {
        // a consumer that stops reading leaves the rest of the body on the wire
        if (!this.finished && !this.failure) this.fail(err ?? new Error('response body abandoned'));
        cb(err);
      },
    });
  }

  start(head: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      this.answer = { resolve, reject };
      if (this.req.signal?.aborted) {
        this.conn.socket.destroy();
        reject(abortError());
        return;
      }
      this.req.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.conn.exchange = this;
      this.timer = setTimeout(
        () => this.fail(new TimeoutError('OCICAT_HEADERS_TIMEOUT', this.options.headersTimeoutMs)),
        this.options.headersTimeoutMs,
      );
      this.conn.socket.write(head);
    });
  }

  /** Parse arrived bytes; false pauses the socket. */
  data(chunk: Buffer): boolean {
    if (this.finished || this.failure) return false;
    try {
      this.parser.feed(chunk);
    } catch (e) {
      this.fail(e as Error);
      return false;
    }
    if (this.parser.ended) {
      this.finish();
      return true;
    }
    return this.mode !== 'pending' && !this.paused;
  }

  timedOut(): void {
    this.fail(new TimeoutError('OCICAT_BODY_TIMEOUT', this.options.bodyTimeoutMs));
  }

  /** The socket closed: the end of an until-close body, or a cut. */
  closed(): void {
    if (this.finished || this.failure) return;
    try {
      this.parser.end();
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.finish();
  }

  fail(e: Error): void {
    if (this.finished || this.failure) return;
    this.failure = e;
    this.cleanup();
    this.conn.socket.destroy();
    switch (this.mode) {
      case 'head': {
        const stale = this.conn.served > 0 && !this.parser.started && !(e instanceof TimeoutError);
        this.answer?.reject(stale && e.name !== 'AbortError' ? new StaleConnection(e.message) : e);
        break;
      }
      case 'sink':
        this.settle?.reject(e);
        this.body.destroy();
        break;
      case 'stream':
        this.body.destroy(e);
        break;
      case 'pending':
        break; // reported when the consumer reads or delivers
    }
  }

  private onHead(h: ResponseHead): void {
    this.head = h;
    clearTimeout(this.timer);
    this.mode = 'pending';
    this.conn.socket.setTimeout(this.options.bodyTimeoutMs);
    const socket = this.conn.socket;
    this.stopRate = watchRate(
      {
        bytes: () => socket.bytesRead,
        heldBack: () => this.mode === 'pending' || this.paused || socket.isPaused(),
      },
      this.options.rateFloor ?? DEFAULT_RATE_FLOOR,
      (e) => this.fail(e),
    );
    this.answer?.resolve({
      status: h.status,
      headers: h.headers,
      body: this.body,
      url: this.req.url,
      method: 'GET',
      deliver: (sink) => this.deliver(sink),
    });
  }

  private onBody(slice: Buffer): void {
    switch (this.mode) {
      case 'sink': {
        // may throw: the parser passes it on to data(), which fails the exchange
        const wait = this.sink!(slice);
        if (wait instanceof Promise && !this.paused) {
          // the sink asks for a pause: the socket stops after this read (data() says so)
          this.paused = true;
          wait.then(
            () => {
              if (this.finished || this.failure) return;
              this.paused = false;
              this.conn.socket.resume();
            },
            (e: Error) => this.fail(e),
          );
        }
        break;
      }
      case 'stream':
        if (!this.body.push(Buffer.from(slice))) this.paused = true;
        break;
      default:
        this.queue.push(Buffer.from(slice));
    }
  }

  private finish(): void {
    this.finished = true;
    this.cleanup();
    this.conn.served++;
    this.conn.exchange = undefined;
    if (this.head?.keepAlive && this.parser.extra === 0) this.pool.keep(this.conn);
    else this.conn.socket.destroy();
    if (this.mode === 'sink') {
      this.settle?.resolve();
      this.body.destroy();
    } else if (this.mode === 'stream') {
      this.body.push(null);
    }
  }

  private cleanup(): void {
    clearTimeout(this.timer);
    this.stopRate?.();
    this.req.signal?.removeEventListener('abort', this.onAbort);
  }

  // The body as a stream: queued copies first, then the socket with backpressure.
  private pull(): void {
    if (this.mode === 'sink') return;
    if (this.mode === 'pending') {
      this.mode = 'stream';
      const queued = this.queue;
      this.queue = [];
      for (const b of queued) this.body.push(b);
      if (this.failure) this.body.destroy(this.failure);
      else if (this.finished) this.body.push(null);
      else this.conn.socket.resume();
      return;
    }
    if (this.paused) {
      this.paused = false;
      this.conn.socket.resume();
    }
  }

  /** Every body byte to `sink`, as views valid during the call; resolves at the end of the body. */
  private deliver(sink: Sink): Promise<void> {
    if (this.mode !== 'pending') return Promise.reject(new Error('the response body is already being read'));
    this.mode = 'sink';
    this.sink = sink;
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      const queued = this.queue;
      this.queue = [];
      try {
        for (const b of queued) sink(b);
      } catch (e) {
        if (this.finished) {
          reject(e as Error);
          this.body.destroy();
        } else this.fail(e as Error);
        return;
      }
      if (this.failure) {
        reject(this.failure);
        this.body.destroy();
      } else if (this.finished) {
        resolve();
        this.body.destroy();
      } else this.conn.socket.resume();
    });
  }
}
