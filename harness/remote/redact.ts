// Secrets never reach logs, reports or error messages. Everything that prints a
// URL or headers goes through here.

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

/** Remove every occurrence of the given secrets from a text. */
export function scrub(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  }
  return out;
}
