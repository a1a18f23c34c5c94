// A registry double on undici's MockAgent, for protocol corners a real registry
// cannot be made to produce on demand. Tests assert on `requests` as well as results.
import { MockAgent } from 'undici';
import { type Credential, StaticStore } from '../remote/auth/credential.ts';
import { type ClientOptions, RegistryClient } from '../remote/client.ts';
import { undiciTransport } from './undici-transport.ts';

export const ORIGIN = 'https://reg.test';
export const REGISTRY = 'reg.test';

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
}

export function mockRegistry(
  options: { logins?: Record<string, Credential> } & Omit<ClientOptions, 'credentials'> = {},
) {
  const { logins, ...rest } = options;
  const agent = new MockAgent();
  agent.disableNetConnect();
  const requests: Recorded[] = [];
  const logs: string[] = [];
  const pool = (origin = ORIGIN) => agent.get(origin);
  const client = new RegistryClient({
    transport: undiciTransport(agent),
    retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5, retryAfterCapMs: 20 },
    log: (l) => logs.push(l),
    ...rest,
    ...(logins ? { credentials: new StaticStore(logins) } : {}),
  });
  /** Record a request's headers (lowercased) from an interceptor callback. */
  const record = (opts: { method: string; path: string; headers?: unknown }) => {
    const h: Record<string, string> = {};
    const raw = opts.headers as Record<string, string> | undefined;
    if (raw) for (const [k, v] of Object.entries(raw)) h[k.toLowerCase()] = String(v);
    requests.push({ method: opts.method, path: opts.path, headers: h });
    return h;
  };
  return { agent, pool, client, requests, logs, record };
}
