// Secrets never reach logs, reports or error messages. Everything that prints a
// URL or headers goes through here.

import { proxySecrets } from './proxy-env.ts';

const SECRET_QUERY =
  /^(?:.*token.*|.*secret.*|password|passwd|x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig|code)$/i;
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-registry-auth',
]);

export const REDACTED = '[redacted]';

export function redactUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input, 'http://relative.invalid');
  } catch {
    return input.replace(/\/\/[^/@]*@/, `//${REDACTED}@`);
  }
  if (url.username || url.password) {
    url.username = REDACTED;
    url.password = '';
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_QUERY.test(key)) url.searchParams.set(key, REDACTED);
  }
  const out = url.toString();
  return out.startsWith('http://relative.invalid') ? out.slice('http://relative.invalid'.length) : out;
}

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? `${String(v).split(' ')[0]} ${REDACTED}` : v;
  }
  return out;
}

/**
 * The ways a secret travels and comes back in a registry's or a tool's text: as
 * is, URL-encoded (a query or a form), base64 and base64url (a Basic header holds
 * base64("user:password"): pass that pair, see basicPairs), JSON-escaped.
 */
export function secretForms(secret: string): string[] {
  const b = Buffer.from(secret, 'utf8');
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    b.toString('base64'),
    b.toString('base64').replace(/=+$/, ''),
    b.toString('base64url'),
    JSON.stringify(secret).slice(1, -1),
  ]);
  return [...forms].filter((f) => f !== '');
}

/** "user:password" for each credential: its base64 is what a Basic header carries. */
export function basicPairs(
  creds: Iterable<{ username?: string; password?: string; identityToken?: string }>,
): string[] {
  const out: string[] = [];
  for (const c of creds) {
    if (c.password !== undefined) out.push(`${c.username ?? ''}:${c.password}`);
    if (c.identityToken !== undefined) out.push(`${c.username || '<token>'}:${c.identityToken}`);
  }
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Remove every occurrence of the given secrets, in each of their forms, from a
 * text, whatever their length (issue 18: passwords under 4 characters used to pass).
 * A secret shorter than 4 characters is replaced only where it stands alone
 * (not inside a longer word), so that "ab" does not blank every "about".
 */
export function scrub(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  const forms = new Set<string>();
  for (const s of secrets) if (s) for (const f of secretForms(s)) forms.add(f);
  // longest first: a pair's base64 before the password it contains
  for (const f of [...forms].sort((a, b) => b.length - a.length)) {
    if (f.length >= 4) out = out.split(f).join(REDACTED);
    else out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRe(f)}(?![A-Za-z0-9])`, 'g'), REDACTED);
  }
  return out;
}

/**
 * What must never be printed for a registry's credential: its secrets, the
 * "user:password" a Basic header encodes, and the proxies' passwords
 * (proxy-env.ts), which every request of the run may carry.
 */
export function credentialSecrets(
  c: { username?: string; password?: string; identityToken?: string; registryToken?: string } | undefined,
): string[] {
  return [
    ...(c ? [c.password, c.identityToken, c.registryToken, ...basicPairs([c])] : []),
    ...proxySecrets(),
  ].filter((s): s is string => !!s);
}
