// The HTTP/1.1 response parser: framings, fed in any pieces, and the malformed
// responses it must refuse (RFC 9112 sections 4-7).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpParseError, type ResponseHead, ResponseParser } from './http1-response.ts';

interface Parsed {
  heads: ResponseHead[];
  body: Buffer;
  done: number;
  parser: ResponseParser;
}

function parse(pieces: Buffer[], bodyless = false): Parsed {
  const out: Parsed = { heads: [], body: Buffer.alloc(0), done: 0, parser: undefined as never };
  const parts: Buffer[] = [];
  out.parser = new ResponseParser(
    {
      head: (h) => out.heads.push(h),
      // copied: a view is only valid during the call
      body: (s) => parts.push(Buffer.from(s)),
      done: () => out.done++,
    },
    bodyless,
  );
  for (const p of pieces) {
    // the caller's buffer is reused: scribble over it after each feed
    const reused = Buffer.from(p);
    out.parser.feed(reused);
    reused.fill(0x5a);
  }
  out.body = Buffer.concat(parts);
  return out;
}

const text = (s: string) => Buffer.from(s, 'latin1');

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

function chunked(body: Buffer, sizes: number[], ext: boolean, trailer: boolean): Buffer {
  const parts: Buffer[] = [];
  let off = 0;
  let k = 0;
  while (off < body.length) {
    const n = Math.min(body.length - off, Math.max(1, sizes[k++ % Math.max(1, sizes.length)] ?? 7));
    parts.push(
      text(`${n.toString(16)}${ext ? ';name=value' : ''}\r\n`),
      body.subarray(off, off + n),
      text('\r\n'),
    );
    off += n;
  }
  parts.push(text(`0\r\n${trailer ? 'Digest: x\r\n' : ''}\r\n`));
  return Buffer.concat(parts);
}

describe('ResponseParser', () => {
  it('parses a Content-Length response and keeps the connection', () => {
    const r = parse([
      text('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDocker-Content-Digest: sha256:ab\r\n\r\nhello'),
    ]);
    expect(r.heads).toHaveLength(1);
    expect(r.heads[0]).toMatchObject({ status: 200, keepAlive: true });
    expect(r.heads[0]!.headers['docker-content-digest']).toBe('sha256:ab');
    expect(r.body.toString()).toBe('hello');
    expect(r.done).toBe(1);
    expect(r.parser.ended).toBe(true);
  });

  it('holds any framing, fed in any pieces, to the same head and body', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom('length', 'chunked', 'close'),
        fc.array(fc.integer({ min: 1, max: 900 }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (bytes, framing, sizes, cuts, extras) => {
          const body = Buffer.from(bytes);
          const fields =
            framing === 'length'
              ? `Content-Length: ${body.length}\r\n`
              : framing === 'chunked'
                ? 'Transfer-Encoding: chunked\r\n'
                : '';
          const head = text(`HTTP/1.1 206 Partial Content\r\nX-A: 1\r\n${fields}X-A: 2\r\n\r\n`);
          const framed = framing === 'chunked' ? chunked(body, sizes, extras, extras) : body;
          const r = parse(splitAt(Buffer.concat([head, framed]), cuts));
          if (framing === 'close') r.parser.end();
          expect(r.heads).toHaveLength(1);
          expect(r.heads[0]!.status).toBe(206);
          expect(r.heads[0]!.headers['x-a']).toBe('1, 2');
          expect(r.heads[0]!.keepAlive).toBe(framing !== 'close');
          expect(r.body.equals(body)).toBe(true);
          expect(r.done).toBe(1);
          expect(r.parser.extra).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('skips interim 1xx responses', () => {
    const r = parse([text('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')]);
    expect(r.heads.map((h) => h.status)).toEqual([200]);
    expect(r.body.toString()).toBe('ok');
  });

  it('has no body after HEAD, 204 or 304 whatever the length says', () => {
    expect(parse([text('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n')], true).done).toBe(1);
    expect(parse([text('HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n')]).done).toBe(1);
    expect(parse([text('HTTP/1.1 304 Not Modified\r\n\r\n')]).done).toBe(1);
  });

  it('refuses Transfer-Encoding together with Content-Length, as node:http does', () => {
    // node:http (llhttp): HPE_INVALID_TRANSFER_ENCODING "Transfer-Encoding can't be present
    // with Content-Length"; the two readers must frame every answer alike (issue 18)
    expect(() =>
      parse([
        text(
          'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
        ),
      ]),
    ).toThrow(/Transfer-Encoding together with Content-Length/);
  });

  it('does not keep a connection the server closes, or an HTTP/1.0 one', () => {
    expect(
      parse([text('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')]).heads[0]!.keepAlive,
    ).toBe(false);
    expect(parse([text('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')]).heads[0]!.keepAlive).toBe(false);
    expect(
      parse([text('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n')]).heads[0]!
        .keepAlive,
    ).toBe(true);
  });

  it('counts bytes after the end as extra', () => {
    const r = parse([text('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK')]);
    expect(r.body.toString()).toBe('ok');
    expect(r.parser.extra).toBe(4);
  });

  it('reports a connection closed early as ECONNRESET, before and during the body', () => {
    const early = parse([text('HTTP/1.1 200 OK\r\nContent-Le')]);
    expect(() => early.parser.end()).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
    const cut = parse([text('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')]);
    expect(cut.body.toString()).toBe('abc');
    expect(() => cut.parser.end()).toThrow(/before the body ended/);
    const cutChunk = parse([text('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab')]);
    expect(() => cutChunk.parser.end()).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
  });

  it.each([
    ['a bad status line', 'HTTP/2 200 OK\r\n\r\n'],
    ['a status out of range', 'HTTP/1.1 099 Low\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nNoColon\r\n\r\n'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n'],
    ['space before the colon', 'HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n'],
    ['a negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['conflicting lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['a length list that disagrees', 'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data over its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n'],
    ['a chunk line with a bare LF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\n'],
  ])('refuses %s', (_what, response) => {
    expect(() => parse([text(response)])).toThrow(HttpParseError);
  });

  it('refuses a head over 64 KiB, even in small pieces', () => {
    const big = text(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    expect(() => parse(splitAt(big, [100, 5000, 40000, 66000]))).toThrow(/over 65536 bytes/);
  });

  it('joins repeated fields, keeps Set-Cookie apart and accepts an equal repeated length', () => {
    const r = parse([
      text(
        'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nLink: <x>\r\nLink: <y>\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nz',
      ),
    ]);
    expect(r.heads[0]!.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(r.heads[0]!.headers.link).toBe('<x>, <y>');
    expect(r.body.toString()).toBe('z');
  });
});
