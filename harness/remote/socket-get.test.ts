// Blob GETs on plain sockets against local servers (test doubles for corners a
// real registry will not produce on demand: stalls, cuts, a kept connection the
// server drops, bytes in any framing). The registry suites pull through the same
// code from real registries.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../../registries/tls/ca.ts';
import { RegistryUnavailable } from '../../registries/types.ts';
import { type LocalServer, startLocalServer } from '../testing/local-server.ts';
import { deliverBody, readBody } from './http.ts';
import { READ_BUFFER, SocketGet } from './socket-get.ts';
import { classifyNetworkError } from './transport.ts';

let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
let server: LocalServer;
let base: string;
let dir: string;

const blob = Buffer.alloc(3 * READ_BUFFER + 12345);
for (let i = 0; i < blob.length; i++) blob[i] = (i * 7919) >>> 3;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-socket-get-'));
  server = await startLocalServer((req, res) => handler(req, res));
  base = server.base;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const options = { headersTimeoutMs: 5000, bodyTimeoutMs: 5000, maxIdle: 4 };

/** Copy what a sink sees (views are only valid during the call). */
function collector(): { sink: (c: Buffer) => void; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  return { sink: (c) => parts.push(Buffer.from(c)), bytes: () => Buffer.concat(parts) };
}

const closed = (s: NodeJS.ReadableStream) => new Promise<void>((r) => s.once('close', () => r()));

describe('SocketGet', () => {
  it('delivers a Content-Length body to a sink, then closes the body stream and keeps the connection', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-length': blob.length }).end(blob);
    const g = new SocketGet(options);
    const before = server.connections();
    for (let k = 0; k < 3; k++) {
      const res = await g.request({ url: `${base}/v2/a/blobs/x`, headers: { 'user-agent': 't' } });
      expect(res.status).toBe(200);
      const c = collector();
      const done = closed(res.body); // the client releases its concurrency slot on close
      await deliverBody(res, c.sink);
      await done;
      expect(c.bytes().equals(blob)).toBe(true);
    }
    g.close();
    expect(server.connections() - before).toBe(1);
  });

  it('streams a chunked body with backpressure and sends the request headers', async () => {
    let seen: IncomingMessage['headers'] = {};
    handler = (req, res) => {
      seen = req.headers;
      res.writeHead(200); // no length: node:http sends it chunked
      let off = 0;
      const more = () => {
        while (off < blob.length) {
          const piece = blob.subarray(off, off + 70_000);
          off += piece.length;
          if (!res.write(piece)) return res.once('drain', more);
        }
        res.end();
      };
      more();
    };
    const g = new SocketGet(options);
    const res = await g.request({
      url: `${base}/v2/a/blobs/y?x=1`,
      headers: { authorization: 'Bearer t0k', range: 'bytes=0-' },
    });
    const parts: Buffer[] = [];
    for await (const c of res.body) {
      parts.push(c as Buffer);
      // a slow consumer: the socket goes on reading meanwhile, so what it was
      // given must be copies, and the stream must hold the socket back
      if (parts.length < 4) await new Promise((r) => setTimeout(r, 30));
    }
    g.close();
    expect(Buffer.concat(parts).equals(blob)).toBe(true);
    expect(seen.authorization).toBe('Bearer t0k');
    expect(seen.range).toBe('bytes=0-');
    expect(seen.host).toBe(new URL(base).host);
  });

  it('reads an error body as text, as the client does for any status it does not expect', async () => {
    handler = (_req, res) =>
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
    const g = new SocketGet(options);
    const res = await g.request({ url: `${base}/v2/a/blobs/z`, headers: {} });
    expect(res.status).toBe(404);
    expect((await readBody(res, 1024)).toString()).toContain('BLOB_UNKNOWN');
    g.close();
  });

  it('gives up on missing headers and on a stalled body with TIMEOUT', async () => {
    const g = new SocketGet({ ...options, headersTimeoutMs: 150, bodyTimeoutMs: 150 });
    handler = () => {}; // never answers
    const noHead = await g.request({ url: `${base}/a`, headers: {} }).catch((e) => e);
    expect(classifyNetworkError(noHead, 'GET').error.code).toBe('TIMEOUT');
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10)); // then silence
    };
    const res = await g.request({ url: `${base}/b`, headers: {} });
    const stalled = await deliverBody(res, () => {}).catch((e) => e);
    expect(classifyNetworkError(stalled, 'GET').error.code).toBe('TIMEOUT');
    g.close();
  });

  it('reports a body cut part way as a retryable NETWORK error, after the bytes that came', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': blob.length });
      res.write(blob.subarray(0, READ_BUFFER), () => res.socket?.destroy());
    };
    const g = new SocketGet(options);
    const res = await g.request({ url: `${base}/cut`, headers: {} });
    const c = collector();
    const err = await deliverBody(res, c.sink).catch((e) => e);
    g.close();
    const { error, retryable } = classifyNetworkError(err, 'GET blob');
    expect(error.code).toBe('NETWORK');
    expect(retryable).toBe(true);
    expect(c.bytes().equals(blob.subarray(0, c.bytes().length))).toBe(true);
    expect(c.bytes().length).toBeLessThan(blob.length);
  });

  it('stops on abort with ABORTED', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': blob.length });
      res.write(blob.subarray(0, 1000)); // and then nothing
    };
    const g = new SocketGet(options);
    const ac = new AbortController();
    const res = await g.request({ url: `${base}/abort`, headers: {}, signal: ac.signal });
    const pending = deliverBody(res, () => ac.abort()).catch((e) => e);
    expect(classifyNetworkError(await pending, 'GET').error.code).toBe('ABORTED');
    g.close();
  });

  it('passes on an error thrown by the sink and does not reuse that connection', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-length': blob.length }).end(blob);
    const g = new SocketGet(options);
    const before = server.connections();
    const res = await g.request({ url: `${base}/sink`, headers: {} });
    const err = await deliverBody(res, () => {
      throw new Error('digest says no');
    }).catch((e) => e);
    expect(err.message).toBe('digest says no');
    const again = await g.request({ url: `${base}/sink`, headers: {} });
    const c = collector();
    await deliverBody(again, c.sink);
    g.close();
    expect(c.bytes().equals(blob)).toBe(true);
    expect(server.connections() - before).toBe(2);
  });

  it('sends the GET again on a new connection when the server drops a kept one unanswered', async () => {
    // A raw server: answers the first request of each connection and keeps it
    // open, then closes it on the next request without a byte (a keep-alive
    // timeout racing our reuse).
    let accepted = 0;
    const raw = createNetServer((sock: Socket) => {
      accepted++;
      let served = 0;
      sock.on('data', () => {
        if (served++ === 0) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else sock.destroy();
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/x`;
    const g = new SocketGet(options);
    for (let k = 0; k < 2; k++) {
      const res = await g.request({ url, headers: {} });
      expect((await readBody(res, 10)).toString()).toBe('ok');
    }
    g.close();
    await new Promise((r) => raw.close(r));
    expect(accepted).toBe(2);
  });

  it('refuses a header value with a line break before sending anything', async () => {
    const g = new SocketGet(options);
    await expect(g.request({ url: `${base}/x`, headers: { 'x-a': 'b\r\nx-evil: 1' } })).rejects.toThrow(
      /line break/,
    );
    g.close();
  });

  it('reads over TLS, verifying the server with a CA file', async (ctx) => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    try {
      await selfSigned(key, cert, 'localhost');
    } catch (e) {
      if (e instanceof RegistryUnavailable) return ctx.skip(e.message);
      throw e;
    }
    const tls = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) =>
      res.writeHead(200, { 'content-length': blob.length }).end(blob),
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const url = `https://localhost:${(tls.address() as AddressInfo).port}/v2/a/blobs/t`;
    const untrusted = new SocketGet(options);
    const refused = await untrusted.request({ url, headers: {} }).catch((e) => e);
    untrusted.close();
    expect(classifyNetworkError(refused, 'GET').error.code).toBe('TLS');
    const g = new SocketGet({ ...options, ca: [(await readFile(cert)).toString()] });
    const res = await g.request({ url, headers: {} });
    const c = collector();
    await deliverBody(res, c.sink);
    g.close();
    tls.closeAllConnections();
    await new Promise((r) => tls.close(r));
    expect(c.bytes().equals(blob)).toBe(true);
  });
});
