// An HTTP proxy in front of a real registry, driven by rules (rule.ts): it acts
// where a rule says so and forwards everything else untouched, streaming blob
// bodies both ways. The Host header is kept, so the registry writes upload
// Locations that point back at the proxy.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';
import {
  type Action,
  actionOf,
  MAX_INSPECTED_BODY,
  matchesWithoutBody,
  type ProxyRequest,
  type Reply,
  type Rule,
  type Upstream,
} from './rule.ts';

export interface StartedProxy extends AsyncDisposable {
  host: string;
  url(): string;
  /** Rules that acted: name, method and path, in order. */
  readonly hits: Array<{ rule: string; method: string; path: string }>;
  /** Replace the rules (e.g. between phases of a fault scenario). */
  setRules(rules: Rule[]): void;
  stop(): Promise<void>;
}

/** The response header naming the rule that shaped an answer. */
export const RULE_HEADER = 'ocicat-proxy-rule';

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body);
  res.writeHead(reply.status, { 'content-length': String(body.length), ...reply.headers });
  res.end(body);
}

async function readSmallBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (!Number.isFinite(declared) || declared > MAX_INSPECTED_BODY) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Pass bytes through, calling `at` when `limit` bytes have gone by (once). */
/** ... and calling `unfired` instead when the body ends before `limit` bytes. */
function counter(limit: number, at: () => void, unfired: () => void = () => {}): Transform {
  let n = 0;
  let fired = false;
  return new Transform({
    transform(chunk: Buffer, _e, done) {
      if (fired) return done();
      if (n + chunk.length >= limit) {
        fired = true;
        const head = chunk.subarray(0, Math.max(0, limit - n));
        n = limit;
        this.push(head);
        setImmediate(at);
        return done();
      }
      n += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      if (!fired) setImmediate(unfired);
      done();
    },
  });
}

function throttle(bytesPerSecond: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, done) {
      setTimeout(() => done(null, chunk), Math.ceil((chunk.length / bytesPerSecond) * 1000));
    },
  });
}

function limitOf(a: { afterBytes?: number; fraction?: number }, total: number): number {
  if (a.afterBytes !== undefined) return a.afterBytes;
  return Math.floor(total * (a.fraction ?? 0.5));
}

export async function startProxy(upstream: { host: string }, initialRules: Rule[]): Promise<StartedProxy> {
  const colon = upstream.host.lastIndexOf(':');
  const upHost = upstream.host.slice(0, colon);
  const upPort = Number(upstream.host.slice(colon + 1));
  let rules = initialRules;
  const spent = new Map<Rule, number>();
  const hits: StartedProxy['hits'] = [];

  const fetchUpstream: Upstream = (method, path, headers = {}) =>
    new Promise((resolve, reject) => {
      const r = httpRequest(
        { host: upHost, port: upPort, method, path, headers: { host: upstream.host, ...headers } },
        async (res) => {
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) });
        },
      );
      r.on('error', reject);
      r.end();
    });

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
    action: Action | undefined,
    pr: ProxyRequest,
  ) => {
    const up = httpRequest(
      { host: upHost, port: upPort, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        let status = upRes.statusCode ?? 502;
        let headers = upRes.headers;
        if (action?.kind === 'rewrite') ({ status, headers } = action.rewrite({ status, headers }, pr));
        const total = Number(upRes.headers['content-length'] ?? 0);
        res.writeHead(status, headers);
        let stream: NodeJS.ReadableStream = upRes;
        if (action?.kind === 'cut-response') {
          stream = upRes.pipe(
            counter(
              limitOf(action, total),
              () => res.destroy(),
              () => res.end(),
            ),
          );
        } else if (action?.kind === 'truncate-response') {
          // end cleanly but short, then close: the client sees fewer bytes than Content-Length.
          // The socket is taken first: a finished response lets go of it (kept alive for
          // the next request), and the client would wait for the missing bytes instead.
          const socket = res.socket;
          stream = upRes.pipe(
            counter(
              Math.floor(total * action.fraction),
              () => res.end(() => socket?.end()),
              () => res.end(),
            ),
          );
        } else if (action?.kind === 'corrupt-response') {
          let seen = 0;
          let at = action.atByte ?? Math.floor(total / 2);
          const every = action.every;
          stream = upRes.pipe(
            new Transform({
              transform(chunk: Buffer, _e, done) {
                if (at >= seen && at < seen + chunk.length) {
                  chunk = Buffer.from(chunk);
                  do {
                    chunk[at - seen] = chunk[at - seen]! ^ 0xff;
                    at = every ? at + every : Number.POSITIVE_INFINITY;
                  } while (at < seen + chunk.length);
                }
                seen += chunk.length;
                done(null, chunk);
              },
            }),
          );
        } else if (action?.kind === 'throttle') {
          stream = upRes.pipe(throttle(action.bytesPerSecond));
        }
        // For cuts and truncations the action ends the response: a pipe that ends it first
        // (a body shorter than the cut point) would turn the fault into a stalled socket.
        const ends = action?.kind === 'cut-response' || action?.kind === 'truncate-response';
        stream.pipe(res, { end: !ends });
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    if (body !== undefined) {
      up.end(body);
      return;
    }
    if (action?.kind === 'cut-request') {
      const total = Number(req.headers['content-length'] ?? 0);
      req
        .pipe(
          counter(limitOf(action, total), () => {
            req.socket.destroy();
            up.destroy();
          }),
        )
        .pipe(up);
    } else if (action?.kind === 'throttle') req.pipe(throttle(action.bytesPerSecond)).pipe(up);
    else req.pipe(up);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const pr: ProxyRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    const candidates = rules.filter(
      (r) => matchesWithoutBody(r, pr) && (r.times === undefined || (spent.get(r) ?? 0) < r.times),
    );
    let body: Buffer | undefined;
    if (candidates.some((r) => r.body)) body = await readSmallBody(req);
    if (body !== undefined) pr.body = body;
    const rule = candidates.find((r) => !r.body || (body !== undefined && r.body(body, pr)));
    if (!rule) return forward(req, res, body, undefined, pr);
    spent.set(rule, (spent.get(rule) ?? 0) + 1);
    hits.push({ rule: rule.name, method: pr.method, path: pr.path });
    // every answer a rule shaped names it, so a cell's evidence says which rule (a
    // profile's claim, not the backend's behaviour) decided it (issue 22)
    res.setHeader(RULE_HEADER, rule.name.replace(/[^\x20-\x7e]/g, '?'));
    const action = actionOf(rule);
    if (action.kind === 'respond') {
      if (body === undefined && !req.readableEnded) req.resume();
      send(res, typeof action.reply === 'function' ? await action.reply(pr, fetchUpstream) : action.reply);
      return;
    }
    if (action.kind === 'serve') {
      action.serve(req, res);
      return;
    }
    if (action.kind === 'delay') {
      await new Promise((r) => setTimeout(r, action.ms));
      return forward(req, res, body, undefined, pr);
    }
    forward(req, res, body, action, pr);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return {
    host,
    url: () => `http://${host}`,
    hits,
    setRules(next) {
      rules = next;
      spent.clear();
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
