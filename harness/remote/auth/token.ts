// Bearer tokens, Docker token spec (distribution/docs "token.md" and "oauth.md"):
// - GET <realm>?service=..&scope=..  with Basic credentials when we have some;
// - POST <realm> grant_type=refresh_token for identity tokens (OAuth2), falling back
//   to GET with Basic because some registries only serve GET (Harbor,
//   REGISTRY-FACTS "Harbor: token endpoint GET only").
import { OcicatError } from '../../errors.ts';
import type { Challenge } from './challenge.ts';
import type { Credential } from './credential.ts';
import { type Scope, scopeStrings } from './scope.ts';

export interface Token {
  token: string;
  /** ms since epoch */
  expiresAt: number;
  scopes: Scope[];
}

/** `registry`: whose token this is (the realm must keep its TLS: client.ts checkScheme). */
export type TokenHttp = (
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  registry: string,
) => Promise<{ status: number; text: string }>;

const DEFAULT_TTL_S = 60; // token spec: "expires_in ... defaults to 60 seconds"
const CLIENT_ID = 'ocicat';

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function realmUrl(challenge: Challenge, registry: string): URL {
  const realm = challenge.params.realm;
  if (!realm) throw new OcicatError('INVALID_CHALLENGE', `${registry}: Bearer challenge without a realm`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new OcicatError(
      'INVALID_CHALLENGE',
      `${registry}: Bearer realm "${realm.slice(0, 100)}" is not a URL`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OcicatError('INVALID_CHALLENGE', `${registry}: Bearer realm must be http(s)`);
  }
  return url;
}

function parseTokenResponse(text: string, registry: string, scopes: Scope[], now: number): Token {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new OcicatError('PROTOCOL', `${registry}: token endpoint answered with something that is not JSON`);
  }
  const token = typeof doc.token === 'string' && doc.token ? doc.token : doc.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new OcicatError('PROTOCOL', `${registry}: token endpoint answered without a token`);
  }
  const ttl = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : DEFAULT_TTL_S;
  return { token, expiresAt: now + ttl * 1000, scopes };
}

export async function fetchToken(
  http: TokenHttp,
  registry: string,
  challenge: Challenge,
  scopes: Scope[],
  credential: Credential | undefined,
  now = Date.now(),
): Promise<Token> {
  if (credential?.registryToken) {
    return { token: credential.registryToken, expiresAt: Number.POSITIVE_INFINITY, scopes };
  }
  const realm = realmUrl(challenge, registry);
  const service = challenge.params.service;
  const scopeList = scopeStrings(scopes);

  if (credential?.identityToken) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credential.identityToken,
      client_id: CLIENT_ID,
    });
    if (service) form.set('service', service);
    if (scopeList.length) form.set('scope', scopeList.join(' '));
    const res = await http(
      realm.toString(),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      },
      registry,
    );
    if (res.status === 200) return parseTokenResponse(res.text, registry, scopes, now);
    if (res.status === 401 || res.status === 403) throw denied(registry, res.status);
    // any other answer (404, 405, 400): this realm does not do OAuth2 POST; try GET.
  }

  const url = new URL(realm);
  if (service) url.searchParams.set('service', service);
  for (const s of scopeList) url.searchParams.append('scope', s);
  const headers: Record<string, string> = {};
  if (credential?.identityToken)
    headers.authorization = basicHeader(credential.username || '<token>', credential.identityToken);
  else if (credential?.username !== undefined && credential.password !== undefined) {
    headers.authorization = basicHeader(credential.username, credential.password);
  }
  const res = await http(url.toString(), { method: 'GET', headers }, registry);
  if (res.status === 200) return parseTokenResponse(res.text, registry, scopes, now);
  if (res.status === 401 || res.status === 403) throw denied(registry, res.status);
  throw new OcicatError('PROTOCOL', `${registry}: token endpoint answered ${res.status}`);
}

function denied(registry: string, status: number): OcicatError {
  return new OcicatError(
    'UNAUTHORIZED',
    `${registry}: authentication failed (token endpoint answered ${status})`,
    {
      hint: `check the credentials for ${registry} (ocicat catalog login ${registry})`,
    },
  );
}
