// Warning headers, distribution-spec 1.1 "Warnings": a registry MAY send
// `Warning: 299 - "<text>"` (the RFC 7234 §5.5 form, code 299, agent "-"), at most
// 4096 bytes of them in all; a client SHOULD show them to the user, and no more
// than once each (a deprecation notice on every request would drown the output).

/** One header value's warnings: 299 ones as their text; `malformed` for anything else. */
export interface ParsedWarnings {
  texts: string[];
  malformed: string[];
}

const ONE = /\s*(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?\s*(?:,|$)/y;

export function parseWarnings(value: string | string[] | undefined): ParsedWarnings {
  const out: ParsedWarnings = { texts: [], malformed: [] };
  for (const v of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
    ONE.lastIndex = 0;
    let at = 0;
    for (;;) {
      if (at >= v.length) break;
      ONE.lastIndex = at;
      const m = ONE.exec(v);
      if (!m) {
        out.malformed.push(v.slice(at).trim());
        break;
      }
      if (m[1] === '299' && m[2] === '-') out.texts.push(m[3]!.replace(/\\(.)/g, '$1'));
      else out.malformed.push(m[0].replace(/,$/, '').trim());
      at = ONE.lastIndex;
    }
  }
  return out;
}

/** Calls `show` once per distinct (registry, text). */
export function warningOnce(
  show: (registry: string, text: string) => void,
): (registry: string, value: string | string[] | undefined) => void {
  const seen = new Set<string>();
  return (registry, value) => {
    for (const text of parseWarnings(value).texts) {
      const key = `${registry}\u0000${text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      show(registry, text);
    }
  };
}
