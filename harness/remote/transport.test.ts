// The node:http transport against a local HTTP server (a test double for
// corners a real registry will not produce on demand): its two timeouts, a file
// range sent exactly with progress, and a registry that answers before reading.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../testing/local-server.ts';
import { drain } from './http.ts';
import { FILE_CHUNK } from './request-body.ts';
import { classifyNetworkError, createTransport } from './transport.ts';

let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
let server: LocalServer;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-transport-'));
  server = await startLocalServer((req, res) => handler(req, res));
  base = server.base;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('node:http transport', () => {
  it('gives up on missing response headers with TIMEOUT', async () => {
    handler = () => {}; // never answers
    const t = createTransport({ headersTimeoutMs: 150 });
    const err = await t.request({ method: 'GET', url: `${base}/v2/`, headers: {} }).catch((e) => e);
    await t.close();
    const { error, retryable } = classifyNetworkError(err, 'GET /v2/');
    expect(error.code).toBe('TIMEOUT');
    expect(retryable).toBe(true);
  });

  it('gives up on a body that stalls with TIMEOUT', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10)); // then silence
    };
    const t = createTransport({ bodyTimeoutMs: 150 });
    const res = await t.request({ method: 'GET', url: `${base}/blob`, headers: {} });
    const err = await (async () => {
      for await (const _ of res.body) {
        // read until it fails
      }
    })().catch((e) => e);
    await t.close();
    expect(classifyNetworkError(err, 'GET blob').error.code).toBe('TIMEOUT');
  });

  it('sends exactly the bytes of a file range, reporting progress up to its length', async () => {
    const file = join(dir, 'src');
    const data = Buffer.alloc(3 * FILE_CHUNK + 5000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    await writeFile(file, data);
    let received = Buffer.alloc(0);
    handler = (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        received = Buffer.concat(parts);
        res.writeHead(201).end();
      });
    };
    const start = 777;
    const end = data.length - 123;
    const progress: number[] = [];
    const t = createTransport();
    const res = await t.request({
      method: 'PUT',
      url: `${base}/upload`,
      headers: { 'content-length': String(end - start) },
      body: { file, start, end, onProgress: (n) => progress.push(n) },
    });
    await drain(res);
    await t.close();
    expect(res.status).toBe(201);
    expect(received.equals(data.subarray(start, end))).toBe(true);
    expect(progress.at(-1)).toBe(end - start);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('returns an answer given before the body was read (413), without failing on the rest', async () => {
    const file = join(dir, 'big');
    await writeFile(file, Buffer.alloc(8 * FILE_CHUNK));
    // answers at once and lets the server discard the unread body, as registries do;
    // (a server that resets the connection at once can beat the answer: a NETWORK error then)
    handler = (_req, res) => {
      res.writeHead(413).end('too large');
    };
    const t = createTransport();
    const res = await t.request({
      method: 'PUT',
      url: `${base}/upload`,
      headers: { 'content-length': String(8 * FILE_CHUNK) },
      body: { file, start: 0, end: 8 * FILE_CHUNK },
    });
    await drain(res);
    await t.close();
    expect(res.status).toBe(413);
  });
});
