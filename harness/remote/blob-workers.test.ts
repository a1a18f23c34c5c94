// Blob downloads in worker threads, against a local HTTP server (a test double:
// the registry suites pull many-layer artifacts from real registries through the
// same code). A worker writes and verifies; anything it cannot do goes back to
// the calling thread, which reads the blob itself with every client rule.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../oci/digest.ts';
import { type LocalServer, startLocalServer } from '../testing/local-server.ts';
import { fetchBlobToFile } from './blob-read.ts';
import { BlobWorkers } from './blob-workers.ts';
import { RegistryClient } from './client.ts';

const blobs = [0, 1, 2].map((k) => {
  const b = Buffer.alloc(9 * 1024 * 1024 + k * 1000);
  for (let i = 0; i < b.length; i++) b[i] = (i * (31 + k)) >>> 2;
  return b;
});
const descs = blobs.map((b) => ({ digest: digestOf(b), size: b.length }));
let server: LocalServer;
let host: string;
let dir: string;
/** Paths of blob GETs that were answered with a redirect (the first of each, when set). */
let redirectFirst = false;
const redirected = new Set<string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-workers-'));
  server = await startLocalServer((req, res) => {
    const url = req.url ?? '';
    if (redirectFirst && url.startsWith('/v2/') && !redirected.has(url)) {
      redirected.add(url);
      res.writeHead(307, { location: `/storage${url}` }).end();
      return;
    }
    const k = descs.findIndex((d) => url.endsWith(d.digest));
    if (k < 0) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': blobs[k]!.length }).end(blobs[k]);
  });
  host = server.host;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const init = { insecure: false, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 };

describe('BlobWorkers', () => {
  it('downloads and verifies a blob in a worker, reporting progress', async () => {
    const w = new BlobWorkers(1, init);
    expect(w.reserve(0)).toBeUndefined(); // the calling thread is free: it reads itself
    const reserved = w.reserve(1);
    expect(reserved).toBeDefined();
    expect(w.reserve(1)).toBeUndefined(); // the worker has as much to do as the calling thread
    const path = join(dir, 'w1');
    const progress: number[] = [];
    const reply = await w.run(
      reserved!,
      { url: `http://${host}/v2/a/blobs/${descs[0]!.digest}`, headers: {}, path, ...descs[0]! },
      { onProgress: (n) => progress.push(n) },
    );
    await w.close();
    expect(reply).toEqual({ ok: true });
    expect((await readFile(path)).equals(blobs[0]!)).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBeLessThanOrEqual(blobs[0]!.length);
  });

  it('hands back a digest mismatch or a status it does not take, leaving no file', async () => {
    const w = new BlobWorkers(1, init);
    const bad = join(dir, 'bad');
    const mismatch = await w.run(w.reserve(1)!, {
      url: `http://${host}/v2/a/blobs/${descs[0]!.digest}`,
      headers: {},
      path: bad,
      digest: descs[1]!.digest,
      size: descs[0]!.size,
    });
    const missing = await w.run(w.reserve(1)!, {
      url: `http://${host}/v2/a/blobs/sha256:${'0'.repeat(64)}`,
      headers: {},
      path: join(dir, 'missing'),
      digest: `sha256:${'0'.repeat(64)}`,
      size: 1,
    });
    await w.close();
    expect(mismatch).toMatchObject({ ok: false, message: expect.stringMatching(/digest/) });
    expect(missing).toEqual({ ok: false, message: 'status 404' });
    await expect(stat(bad)).rejects.toThrow(/ENOENT/);
  });
});

describe('fetchBlobToFile with workers', () => {
  it('reads small blobs on the calling thread, starting no worker', async () => {
    const small = Buffer.from('a config blob');
    const log: string[] = [];
    const client = new RegistryClient({ plainHttp: true, blobWorkers: 1, log: (l) => log.push(l) });
    const repo = { client, registry: host, repository: 'a' };
    // the small blob is unknown to the server: both reads fail, but here, not in a worker
    const tiny = { digest: digestOf(small), size: small.length };
    const results = await Promise.allSettled([
      fetchBlobToFile(repo, tiny, join(dir, 's1')),
      fetchBlobToFile(repo, tiny, join(dir, 's2')),
    ]);
    await client.close();
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(log.some((l) => l.endsWith('(worker)'))).toBe(false);
  });

  it('sends concurrent blobs to a worker and reads a redirected one itself', async () => {
    for (const redirect of [false, true]) {
      redirectFirst = redirect;
      redirected.clear();
      const log: string[] = [];
      const client = new RegistryClient({ plainHttp: true, blobWorkers: 1, log: (l) => log.push(l) });
      const repo = { client, registry: host, repository: 'a' };
      const paths = descs.map((_, k) => join(dir, `c-${redirect}-${k}`));
      const progress = new Map<string, number>();
      await Promise.all(
        descs.map((d, k) =>
          fetchBlobToFile(repo, d, paths[k]!, { onProgress: (n) => progress.set(paths[k]!, n) }),
        ),
      );
      await client.close();
      for (const [k, p] of paths.entries()) expect((await readFile(p)).equals(blobs[k]!)).toBe(true);
      expect(progress.get(paths[1]!)).toBe(descs[1]!.size); // progress ends at the size, wherever it ran
      const inWorker = log.filter((l) => l.endsWith('(worker)'));
      expect(inWorker.length).toBeGreaterThan(0);
      if (redirect) {
        // the worker does not follow redirects; the calling thread does
        expect(inWorker.every((l) => l.includes('status 307, reading it here'))).toBe(true);
      } else {
        expect(inWorker.every((l) => l.includes('-> done'))).toBe(true);
      }
    }
  });
});
