// The error body of distribution-spec 1.1 ("Error Codes"):
//   {"errors":[{"code":"<CODE>","message":"<text>","detail":<any>}]}
// Registries also answer with HTML, plain text or nothing; all of that is tolerated.

export interface OciErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

const MAX_MESSAGE = 300;

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE - 3)}...` : one;
}

/** Parse an error body; returns [] when the body is not an OCI error document. */
export function parseOciErrorBody(text: string): OciErrorEntry[] {
  if (!text) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof doc !== 'object' || doc === null) return [];
  const errors = (doc as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  const out: OciErrorEntry[] = [];
  for (const e of errors) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message, detail } = e as Record<string, unknown>;
    out.push({
      code: typeof code === 'string' ? clip(code).toUpperCase() : 'UNKNOWN',
      message: typeof message === 'string' ? clip(message) : '',
      ...(detail === undefined ? {} : { detail }),
    });
  }
  return out;
}

/** One line describing a non-OCI body (HTML title or the first text). */
export function summariseBody(text: string): string {
  if (!text) return '';
  const title = /<title>([^<]*)<\/title>/i.exec(text);
  if (title?.[1]) return clip(title[1]);
  return clip(text.replace(/<[^>]*>/g, ' '));
}
