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

// Credentials by their shape (issue 24 N4), whoever fetched them: a token that a
// peer tool or the official suite obtained, echoed back by a registry, is known to
// no one here by value. Each keeps its label and loses its value.
const SHAPES: Array<[RegExp, string]> = [
  // "Authorization: Bearer <token>", "Basic <base64>": a value of 8 or more token
  // characters that is not a plain word ("Basic realm=" and "Bearer error=" stay)
  [
    /\b([Bb]earer|[Bb]asic|BEARER|BASIC)(\s+)(?![a-z]+(?![A-Za-z0-9._~+/=-]))[A-Za-z0-9._~+/-]{8,}=*/g,
    `$1$2${REDACTED}`,
  ],
  // a JWT, wherever it stands (three base64url parts, the first a JSON header)
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // JSON fields, also escaped inside a string or HTML ("token":"…", &#34;token&#34;:&#34;…)
  [
    /((?:"|\\"|&#34;|&quot;)(?:token|access_token|refresh_token|id_token|identitytoken|password|secret|auth|client_secret)(?:"|\\"|&#34;|&quot;)\s*:\s*(?:"|\\"|&#34;|&quot;))(?:(?!"|\\"|&#34;|&quot;).)+/gi,
    `$1${REDACTED}`,
  ],
  // form and query values
  [
    /\b((?:password|passwd|access_token|refresh_token|client_secret|identity_token|token)=)[^&\s"'<>]+/gi,
    `$1${REDACTED}`,
  ],
];

/** Credentials recognised by their shape, whatever their value (SHAPES). */
export function redactShapes(text: string): string {
  let out = text;
  for (const [re, to] of SHAPES) out = out.replace(re, to);
  return out;
}

/**
 * At most `max` characters of a text that may hold secrets: scrubbed first, then
 * cut (issue 24 N3: cut first, "Basic YWxpY2U6UzNjcjN0LV…" and "S3cr3t-Pa" were no
 * longer recognised and were printed).
 */
export function clip(text: string, max: number, secrets: Iterable<string | undefined>): string {
  const clean = scrub(text, secrets);
  return clean.length > max ? `${clean.slice(0, max)} …` : clean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Remove every occurrence of the given secrets, in each of their forms, from a
 * text, whatever their length (issue 18: passwords under 4 characters used to pass).
 * A secret shorter than 4 characters is replaced only where it stands alone
 * (not inside a longer word), so that "ab" does not blank every "about".
 */
export function scrub(text: string, secrets: Iterable<string | undefined>): string {
  let out = redactShapes(text);
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
