// An incremental parser for one HTTP/1.1 response at a time (RFC 9112): the status
// line and header fields, then the body framed by Transfer-Encoding: chunked
// (section 7.1), Content-Length (section 6.2) or the end of the connection
// (section 6.3, rule 8). Body bytes are handed on as views into the buffer being
// fed, so a multi-GB blob is never copied by the parser. Used by socket-get.ts.

export interface ResponseHead {
  status: number;
  headers: Record<string, string | string[]>;
  /** The connection may carry another request once this response has ended. */
  keepAlive: boolean;
}

export interface ResponseEvents {
  /** The final response's head (1xx interim responses are skipped). */
  head(head: ResponseHead): void;
  /** Body bytes: a view valid only during the call. */
  body(slice: Buffer): void;
  /** The body has ended. */
  done(): void;
}

/** A response that is not HTTP/1.1 as RFC 9112 allows; the connection is unusable. */
export class HttpParseError extends Error {
  readonly code = 'OCICAT_HTTP_PARSE';
}

const MAX_HEAD = 64 * 1024;
/**
 * 1xx answers before the final one: a registry has no reason for more than a 100
 * Continue and a 103 Early Hints or two; an endless stream of them was bounded only
 * by the 60 s head timeout, about 1 GB read (issue 24).
 */
export const MAX_INTERIM = 8;
const MAX_LINE = 4 * 1024;
const CRLF_CRLF = Buffer.from('\r\n\r\n');
const NONE = Buffer.alloc(0);

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

// Header fields that may appear once only: repeats are joined or refused.
const SINGLE = new Set([
  'content-length',
  'content-type',
  'location',
  'content-range',
  'docker-content-digest',
]);

export class ResponseParser {
  private state: State = 'head';
  private readonly events: ResponseEvents;
  private readonly bodyless: boolean;
  private head: Buffer[] = [];
  private headBytes = 0;
  private interim = 0;
  private tail: Buffer = NONE;
  private remaining = 0;
  private line = '';
  /** Bytes received after the response ended (a server that pipelines garbage). */
  extra = 0;

  /** `bodyless`: the request was HEAD, so no response has a body (RFC 9112 6.3 rule 1). */
  constructor(events: ResponseEvents, bodyless = false) {
    this.events = events;
    this.bodyless = bodyless;
  }

  get ended(): boolean {
    return this.state === 'done';
  }

  /** Whether any part of a response has been seen (a reused connection that fails before may be retried). */
  get started(): boolean {
    return this.headBytes > 0 || this.state !== 'head';
  }

  /** Parse the next bytes; throws HttpParseError on a malformed response. */
  feed(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'head':
          i = this.readHead(buf, i);
          break;
        case 'length':
        case 'chunk-data': {
          const n = Math.min(this.remaining, buf.length - i);
          this.remaining -= n;
          const at = i;
          i += n;
          if (this.remaining === 0) this.state = this.state === 'length' ? 'done' : 'chunk-end';
          this.events.body(buf.subarray(at, at + n));
          if (this.state === 'done') this.events.done();
          break;
        }
        case 'close':
          this.events.body(i === 0 ? buf : buf.subarray(i));
          i = buf.length;
          break;
        case 'chunk-size':
        case 'chunk-end':
        case 'trailers':
          i = this.readLine(buf, i);
          break;
        case 'done':
          this.extra += buf.length - i;
          i = buf.length;
          break;
      }
    }
  }

  /** The connection ended: completes a body framed by the close, else throws. */
  end(): void {
    if (this.state === 'close') {
      this.state = 'done';
      this.events.done();
      return;
    }
    if (this.state !== 'done') {
      const e = new Error(
        this.state === 'head'
          ? 'connection closed before a response'
          : 'connection closed before the body ended',
      ) as NodeJS.ErrnoException;
      e.code = 'ECONNRESET';
      throw e;
    }
  }

  private readHead(buf: Buffer, i: number): number {
    // The blank line may straddle feeds (even several short ones): search from the
    // last 3 bytes of the head so far.
    const tail = this.tail;
    const window = tail.length ? Buffer.concat([tail, buf.subarray(i)]) : buf.subarray(i);
    const at = window.indexOf(CRLF_CRLF);
    const take = at < 0 ? buf.length - i : at + 4 - tail.length;
    if (this.headBytes + take > MAX_HEAD) throw new HttpParseError(`response head over ${MAX_HEAD} bytes`);
    // copied: the caller reuses its buffer
    this.head.push(Buffer.from(buf.subarray(i, i + take)));
    this.headBytes += take;
    if (at < 0) {
      const all = Buffer.concat([tail, buf.subarray(i)]);
      this.tail = Buffer.from(all.subarray(Math.max(0, all.length - 3)));
      return buf.length;
    }
    this.tail = NONE;
    const text = Buffer.concat(this.head).toString('latin1');
    this.head = [];
    this.headBytes = 0;
    this.startBody(parseHead(text));
    return i + take;
  }

  private startBody(parsed: ResponseHead & { framing: Framing }): void {
    const { framing, ...head } = parsed;
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      // interim: the next head follows
      if (++this.interim > MAX_INTERIM)
        throw new HttpParseError(`more than ${MAX_INTERIM} interim (1xx) answers`);
      return;
    }
    if (this.bodyless || head.status === 204 || head.status === 304) {
      this.state = 'done';
    } else if (framing.kind === 'chunked') {
      this.state = 'chunk-size';
    } else if (framing.kind === 'length') {
      this.remaining = framing.length;
      this.state = framing.length === 0 ? 'done' : 'length';
    } else {
      head.keepAlive = false;
      this.state = 'close';
    }
    this.events.head(head);
    if (this.state === 'done') this.events.done();
  }

  private readLine(buf: Buffer, i: number): number {
    const lf = buf.indexOf(10, i);
    const end = lf < 0 ? buf.length : lf + 1;
    this.line += buf.toString('latin1', i, end);
    if (this.line.length > MAX_LINE) throw new HttpParseError(`chunked framing line over ${MAX_LINE} bytes`);
    if (lf < 0) return end;
    const line = this.line;
    this.line = '';
    if (!line.endsWith('\r\n')) throw new HttpParseError('chunked framing line without CRLF');
    const content = line.slice(0, -2);
    if (this.state === 'chunk-end') {
      if (content !== '') throw new HttpParseError('chunk data longer than its size');
      this.state = 'chunk-size';
    } else if (this.state === 'chunk-size') {
      // chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1); extensions are ignored
      const hex = content.split(';', 1)[0]!.trim();
      if (!/^[0-9a-fA-F]{1,13}$/.test(hex)) throw new HttpParseError(`bad chunk size "${hex.slice(0, 20)}"`);
      const size = Number.parseInt(hex, 16);
      if (size === 0) {
        this.state = 'trailers';
      } else {
        this.remaining = size;
        this.state = 'chunk-data';
      }
    } else if (content === '') {
      // the blank line after the trailer section (trailer fields are dropped)
      this.state = 'done';
      this.events.done();
    }
    return end;
  }
}

type Framing = { kind: 'chunked' } | { kind: 'length'; length: number } | { kind: 'close' };

function parseHead(text: string): ResponseHead & { framing: Framing } {
  const lines = text.slice(0, -4).split('\r\n');
  const m = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) throw new HttpParseError(`bad status line "${(lines[0] ?? '').slice(0, 40)}"`);
  const http10 = m[1] === '0';
  const status = Number(m[2]);
  const headers: Record<string, string | string[]> = {};
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!;
    const colon = line.indexOf(':');
    // no obs-fold (RFC 9112 5.2), no whitespace before the colon (5.1)
    if (colon <= 0 || /[\s]/.test(line[0]!) || /\s/.test(line[colon - 1]!)) {
      throw new HttpParseError(`bad header line "${line.slice(0, 40)}"`);
    }
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = headers[name];
    if (had === undefined) headers[name] = value;
    else if (name === 'set-cookie') headers[name] = Array.isArray(had) ? [...had, value] : [had, value];
    else if (SINGLE.has(name)) {
      if (had !== value) throw new HttpParseError(`conflicting ${name} fields`);
    } else headers[name] = `${had}, ${value}`;
  }
  const tokens = (v: string | string[] | undefined) =>
    String(v ?? '')
      .toLowerCase()
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  const connection = tokens(headers.connection);
  const keepAlive = http10 ? connection.includes('keep-alive') : !connection.includes('close');
  return { status, headers, keepAlive, framing: framingOf(headers, tokens) };
}

// RFC 9112 6.3: Transfer-Encoding overrides Content-Length; no length means until close.
// Both at once is refused, as node:http's llhttp does, so that the two readers of
// this client never frame one answer two ways (issue 18).
function framingOf(
  headers: Record<string, string | string[]>,
  tokens: (v: string | string[] | undefined) => string[],
): Framing {
  const te = tokens(headers['transfer-encoding']);
  if (te.length && headers['content-length'] !== undefined)
    throw new HttpParseError('Transfer-Encoding together with Content-Length');
  if (te.length) return te[te.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  const cl = headers['content-length'];
  if (cl === undefined) return { kind: 'close' };
  // A list of equal values is allowed (RFC 9110 8.6); anything else is refused.
  const values = String(cl)
    .split(',')
    .map((v) => v.trim());
  if (!values.every((v) => /^\d{1,15}$/.test(v) && v === values[0])) {
    throw new HttpParseError(`bad content-length "${String(cl).slice(0, 40)}"`);
  }
  return { kind: 'length', length: Number(values[0]) };
}
