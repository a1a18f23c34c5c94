// A token server per the Docker token spec (distribution docs "token.md",
// "oauth.md", "jwt.md"), for the token auth variant: GET /token with Basic
// credentials (or none: anonymous pull when allowed), and OAuth2 POST /token with
// grant_type=password or refresh_token. Tokens are RS256 JWTs carrying the
// granted "access" claim and the signing certificate in x5c; the registry trusts
// that certificate (rootcertbundle / cert). Expiry is configurable so a test can
// watch a token expire.

import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { selfSigned } from '../tls/ca.ts';
import type { Login } from '../types.ts';

export const TOKEN_SERVICE = 'ocicat-registry';
export const TOKEN_ISSUER = 'ocicat-token-server';

export interface TokenServerOptions {
  login: Login;
  /** Let unauthenticated clients pull (like Docker Hub's public repositories). */
  anonymousPull?: boolean;
  /** Seconds a token lives (default 300). */
  ttl?: number;
}

export interface StartedTokenServer extends AsyncDisposable {
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate that signs the tokens (the registry's rootcertbundle). */
  certFile: string;
  /** Requests seen: method, grant and the scopes asked for (no secrets). */
  readonly requests: Array<{ method: string; grant: string; scopes: string[]; user: string }>;
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > 64 * 1024) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

function parseScopes(scopes: string[]): Access[] {
  const out: Access[] = [];
  for (const s of scopes.flatMap((x) => x.split(' ')).filter(Boolean)) {
    const m = /^([a-z]+)(?:\([^)]*\))?:(.+):([a-z*,]*)$/.exec(s);
    if (m) out.push({ type: m[1]!, name: m[2]!, actions: m[3]!.split(',').filter(Boolean) });
  }
  return out;
}

export async function startTokenServer(
  dir: string,
  options: TokenServerOptions,
): Promise<StartedTokenServer> {
  const key = join(dir, 'token.key');
  const cert = join(dir, 'token.pem');
  await selfSigned(key, cert, 'ocicat token signer');
  const keyPem = await readFile(key, 'utf8');
  const certDer = new X509Certificate(await readFile(cert)).raw;
  const ttl = options.ttl ?? 300;
  const refreshTokens = new Map<string, string>(); // refresh token -> user
  const requests: StartedTokenServer['requests'] = [];

  const sign = (user: string, access: Access[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: TOKEN_ISSUER,
      sub: user,
      aud: TOKEN_SERVICE,
      exp: now + ttl,
      nbf: now - 5,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(createSign('RSA-SHA256').update(input).sign(keyPem))}`;
  };
  const grant = (user: string | undefined, asked: Access[]): Access[] =>
    asked
      .filter((a) => a.type === 'repository' || (a.type === 'registry' && user))
      .map((a) => ({
        ...a,
        actions: user ? a.actions : a.actions.filter((x) => x === 'pull' && options.anonymousPull),
      }))
      .filter((a) => a.actions.length > 0);
  const answer = (user: string | undefined, scopes: string[], refresh?: string) => ({
    token: sign(user ?? 'anonymous', grant(user, parseScopes(scopes))),
    access_token: undefined as string | undefined,
    expires_in: ttl,
    issued_at: new Date().toISOString(),
    ...(refresh ? { refresh_token: refresh } : {}),
  });

  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/token') return reply(404, { error: 'not found' });
      if (req.method === 'GET') {
        const scopes = url.searchParams.getAll('scope');
        let user: string | undefined;
        const auth = req.headers.authorization;
        if (auth?.startsWith('Basic ')) {
          const plain = Buffer.from(auth.slice(6), 'base64').toString('utf8');
          const i = plain.indexOf(':');
          const [u, p] = [plain.slice(0, i), plain.slice(i + 1)];
          const viaRefresh = refreshTokens.get(p);
          if (u === options.login.username && p === options.login.password) user = u;
          else if (viaRefresh) user = viaRefresh;
          else return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
        }
        requests.push({ method: 'GET', grant: user ? 'basic' : 'anonymous', scopes, user: user ?? '' });
        const body = answer(user, scopes);
        body.access_token = body.token;
        return reply(200, body);
      }
      if (req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        const g = form.get('grant_type');
        requests.push({ method: 'POST', grant: g ?? '', scopes, user: form.get('username') ?? '' });
        if (g === 'password') {
          if (
            form.get('username') !== options.login.username ||
            form.get('password') !== options.login.password
          )
            return reply(401, { error: 'invalid_grant' });
          const refresh = form.get('access_type') === 'offline' ? randomBytes(16).toString('hex') : undefined;
          if (refresh) refreshTokens.set(refresh, options.login.username);
          const t = answer(options.login.username, scopes, refresh);
          return reply(200, {
            access_token: t.token,
            expires_in: t.expires_in,
            issued_at: t.issued_at,
            ...(refresh ? { refresh_token: refresh } : {}),
          });
        }
        if (g === 'refresh_token') {
          const user = refreshTokens.get(form.get('refresh_token') ?? '');
          if (!user) return reply(401, { error: 'invalid_grant' });
          const t = answer(user, scopes);
          return reply(200, { access_token: t.token, expires_in: t.expires_in, issued_at: t.issued_at });
        }
        return reply(400, { error: 'unsupported_grant_type' });
      }
      return reply(405, { error: 'method not allowed' });
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return {
    realm,
    service: TOKEN_SERVICE,
    issuer: TOKEN_ISSUER,
    certFile: cert,
    requests,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Issue a refresh token for the login (what `docker login` stores as identitytoken). */
export async function refreshTokenFor(server: StartedTokenServer, login: Login): Promise<string> {
  const res = await fetch(server.realm, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: login.username,
      password: login.password,
      access_type: 'offline',
      service: server.service,
      client_id: 'ocicat-test',
    }),
  });
  const doc = (await res.json()) as { refresh_token?: string };
  if (!doc.refresh_token) throw new Error('token server issued no refresh token');
  return doc.refresh_token;
}
