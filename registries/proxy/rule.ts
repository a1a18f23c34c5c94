import type { IncomingMessage, ServerResponse } from 'node:http';

// Proxy rules, after regclient's scripted request/response matcher: a rule
// matches a request (method, path, headers, small bodies, how often it matched)
// and then acts: answer for the registry, or forward with a twist (delay,
// throttle, cut the connection part way through a body, corrupt or rewrite the
// answer).

export interface ProxyRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body, read only when a rule asks for it and it is small (manifests, not blobs). */
  body?: Buffer;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** What the registry answered, for rewrite actions. */
export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** Fetch something from the registry behind the proxy (for replies computed from its state). */
export type Upstream = (
  method: string,
  path: string,
  headers?: Record<string, string>,
) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>;

export type Action =
  | { kind: 'respond'; reply: Reply | ((req: ProxyRequest, upstream: Upstream) => Reply | Promise<Reply>) }
  | { kind: 'delay'; ms: number }
  | { kind: 'throttle'; bytesPerSecond: number }
  /** Cut the client's connection after this many request-body bytes (or this fraction of Content-Length). */
  | { kind: 'cut-request'; afterBytes?: number; fraction?: number }
  /** Cut the connection after this many response-body bytes (or this fraction of it). */
  | { kind: 'cut-response'; afterBytes?: number; fraction?: number }
  /** End the response body early but cleanly, keeping the Content-Length it claimed. */
  | { kind: 'truncate-response'; fraction: number }
  /**
   * Change one byte of the response body (the digest headers stay as they were), at
   * `atByte` (default: the middle), and with `every`, again every that many bytes on.
   */
  | { kind: 'corrupt-response'; atByte?: number; every?: number }
  | { kind: 'rewrite'; rewrite: (answer: UpstreamAnswer, req: ProxyRequest) => UpstreamAnswer }
  /**
   * Answer by hand on the raw exchange: what no well-behaved registry sends (an
   * endless or trickling body, malformed framing, a raw status line). For the
   * hostile-registry suite (suites/hostile).
   */
  | { kind: 'serve'; serve: (req: IncomingMessage, res: ServerResponse) => void };

export interface Rule {
  /** Shown in the proxy's log and in reports. */
  name: string;
  method?: string | string[];
  path?: RegExp;
  /** Needs the request body (bodies over 4 MiB are blobs and are not read: the rule does not match). */
  body?: (body: Buffer, req: ProxyRequest) => boolean;
  when?: (req: ProxyRequest) => boolean;
  /** Apply at most this many times (then the rule is spent). */
  times?: number;
  /** Shorthand for { kind: 'respond', reply }. */
  reply?: Reply | ((req: ProxyRequest, upstream: Upstream) => Reply | Promise<Reply>);
  action?: Action;
}

export const MAX_INSPECTED_BODY = 4 * 1024 * 1024;

export function actionOf(rule: Rule): Action {
  if (rule.action) return rule.action;
  if (rule.reply) return { kind: 'respond', reply: rule.reply };
  throw new Error(`proxy rule "${rule.name}" has neither reply nor action`);
}

export function ociError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ errors: [{ code, message, detail: null }] }),
  };
}

export function header(req: { headers: ProxyRequest['headers'] }, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function matchesWithoutBody(rule: Rule, req: ProxyRequest): boolean {
  if (rule.method) {
    const methods = Array.isArray(rule.method) ? rule.method : [rule.method];
    if (!methods.includes(req.method)) return false;
  }
  if (rule.path && !rule.path.test(req.path)) return false;
  if (rule.when && !rule.when(req)) return false;
  return true;
}
