// Proxy rules, after regclient's scripted request/response matcher: a rule
// matches a request (method, path, headers, small bodies, how often it has
// matched) and then answers for the registry, or lets the request through.

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

export interface Rule {
  /** Shown in the proxy's log and in reports. */
  name: string;
  method?: string | string[];
  path?: RegExp;
  /** Needs the request body (refused for bodies over 4 MiB: those are blobs, passed through). */
  body?: (body: Buffer, req: ProxyRequest) => boolean;
  when?: (req: ProxyRequest) => boolean;
  /** Apply at most this many times (then the rule is spent). */
  times?: number;
  reply: Reply | ((req: ProxyRequest) => Reply);
}

export const MAX_INSPECTED_BODY = 4 * 1024 * 1024;

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

export function matchesWithoutBody(rule: Rule, req: ProxyRequest): boolean {
  if (rule.method) {
    const methods = Array.isArray(rule.method) ? rule.method : [rule.method];
    if (!methods.includes(req.method)) return false;
  }
  if (rule.path && !rule.path.test(req.path)) return false;
  if (rule.when && !rule.when(req)) return false;
  return true;
}
