// WWW-Authenticate parsing, RFC 9110 11.6.1 / RFC 7235 2.1:
//   challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param = token BWS "=" BWS ( token / quoted-string )
// A header may carry several challenges separated by commas.
import { OcicatError } from '../../errors.ts';

export interface Challenge {
  /** Lowercased: "basic", "bearer", ... */
  scheme: string;
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /[A-Za-z0-9\-._~+/]/;
const MAX_HEADER = 16 * 1024;

export function parseChallenges(header: string): Challenge[] {
  const fail = (why: string) =>
    new OcicatError('INVALID_CHALLENGE', `malformed WWW-Authenticate header: ${why}`);
  if (header.length > MAX_HEADER) throw fail('too long');
  let i = 0;
  const n = header.length;
  const ws = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && TCHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const bare = (): string => {
    const start = i;
    while (i < n && header[i] !== ',' && header[i] !== ' ' && header[i] !== '\t' && header[i] !== '"') i++;
    return header.slice(start, i);
  };
  const quoted = (): string => {
    i++; // opening quote
    let out = '';
    while (i < n) {
      const c = header[i]!;
      if (c === '\\') {
        if (i + 1 >= n) break;
        out += header[i + 1];
        i += 2;
        continue;
      }
      if (c === '"') {
        i++;
        return out;
      }
      out += c;
      i++;
    }
    throw fail('unterminated quoted string');
  };

  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  while (i < n) {
    ws();
    if (header[i] === ',') {
      i++;
      continue;
    }
    if (i >= n) break;
    const start = i;
    const name = token();
    if (name === '') throw fail(`unexpected character "${header[i]}" at ${i}`);
    ws();
    if (header[i] === '=' && current && !(header[i + 1] === '=' || i + 1 >= n)) {
      // auth-param of the current challenge
      i++;
      ws();
      // Unquoted values should be tokens; registries also send bare URLs. Read to the next "," or space.
      const value = header[i] === '"' ? quoted() : bare();
      current.params[name.toLowerCase()] = value;
      ws();
      if (i < n && header[i] !== ',') throw fail(`expected "," at ${i}`);
      continue;
    }
    // a new challenge: name is its scheme
    i = start + name.length;
    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
    ws();
    // token68 directly after the scheme (e.g. "Negotiate abc==")
    const t68start = i;
    while (i < n && TOKEN68.test(header[i]!)) i++;
    if (i > t68start) {
      let j = i;
      while (j < n && header[j] === '=') j++;
      const after = header.slice(j).trimStart();
      if (header[i] === '=' && j - i === 1 && after !== '' && after[0] !== ',') {
        // it was "name=value": an auth-param, not a token68
        i = t68start;
      } else {
        current.token68 = header.slice(t68start, j);
        i = j;
      }
    }
  }
  if (challenges.length === 0) throw fail('no challenge');
  return challenges;
}

/** The first challenge with a scheme we speak (Bearer preferred over Basic). */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
