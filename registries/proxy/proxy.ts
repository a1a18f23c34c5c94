// An HTTP proxy in front of a real registry, driven by rules (rule.ts): it
// answers where a rule says so and forwards everything else untouched, streaming
// blob bodies both ways. The Host header is kept, so the registry writes upload
// Locations that point back at the proxy.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_INSPECTED_BODY, matchesWithoutBody, type ProxyRequest, type Reply, type Rule } from './rule.ts';

export interface StartedProxy extends AsyncDisposable {
  host: string;
  url(): string;
  /** What the proxy answered itself: rule name, method and path. */
  readonly hits: Array<{ rule: string; method: string; path: string }>;
  stop(): Promise<void>;
}

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

export async function startProxy(upstream: { host: string }, rules: Rule[]): Promise<StartedProxy> {
  const [upHost, upPort] = [
    upstream.host.slice(0, upstream.host.lastIndexOf(':')),
    Number(upstream.host.slice(upstream.host.lastIndexOf(':') + 1)),
  ];
  const spent = new Map<Rule, number>();
  const hits: StartedProxy['hits'] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) => {
    const up = httpRequest(
      { host: upHost, port: upPort, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.on('aborted', () => up.destroy());
    if (body !== undefined) up.end(body);
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
    if (rule) {
      spent.set(rule, (spent.get(rule) ?? 0) + 1);
      hits.push({ rule: rule.name, method: pr.method, path: pr.path });
      if (body === undefined && !req.readableEnded) req.resume();
      send(res, typeof rule.reply === 'function' ? rule.reply(pr) : rule.reply);
      return;
    }
    forward(req, res, body);
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
  return { host, url: () => `http://${host}`, hits, stop, [Symbol.asyncDispose]: stop };
}
