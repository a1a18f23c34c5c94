// A connection cut in the middle of a blob body: a local HTTP server (a test double;
// the fault proxy of issue 4/7 does this in front of real registries) destroys the
// socket after some bytes; the read resumes with Range and the file verifies.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { digestOf } from '../oci/digest.ts';
import { type LocalServer, startLocalServer } from '../testing/local-server.ts';
import { downloadBlob, readBlob } from './blob-read.ts';
import { RegistryClient } from './client.ts';

const blob = Buffer.alloc(3 * 1024 * 1024);
for (let i = 0; i < blob.length; i++) blob[i] = (i * 7919) & 0xff;
const desc = { digest: digestOf(blob), size: blob.length };
const ranges: string[] = [];
let server: LocalServer;
let host: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-cut-'));
  server = await startLocalServer((req, res) => {
    const range = req.headers.range;
    ranges.push(range ?? 'none');
    const start = range ? Number(/bytes=(\d+)-/.exec(range)?.[1]) : 0;
    const body = blob.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': body.length,
      ...(range ? { 'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}` } : {}),
    });
    if (ranges.length <= 2) {
      // cut the first two answers part way: 1 MiB, then 0.5 MiB of the rest
      res.write(body.subarray(0, ranges.length === 1 ? 1024 * 1024 : 512 * 1024), () =>
        res.socket?.destroy(),
      );
    } else res.end(body);
  });
  host = server.host;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

it.each([
  ['downloadBlob on the socket transport', true, 'download'],
  ['downloadBlob on node:http', false, 'download'],
  ['readBlob (a stream, as a promote reads) on the socket transport', true, 'stream'],
] as const)('%s resumes a blob cut twice mid-body and verifies it', async (_name, socketReads, how) => {
  ranges.length = 0;
  const client = new RegistryClient({
    plainHttp: true,
    socketReads,
    retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 },
  });
  const repo = { client, registry: host, repository: 'a' };
  const out = join(dir, `blob-${how}-${socketReads}`);
  if (how === 'download') await downloadBlob(repo, desc, out);
  else {
    const parts: Buffer[] = [];
    for await (const c of readBlob(repo, desc)) parts.push(c);
    await writeFile(out, Buffer.concat(parts));
  }
  await client.close();
  expect((await readFile(out)).equals(blob)).toBe(true);
  expect(ranges[0]).toBe('none');
  expect(ranges.length).toBe(3);
  const [second, third] = ranges.slice(1).map((r) => Number(/bytes=(\d+)-/.exec(r)?.[1]));
  expect(second).toBeGreaterThan(0);
  expect(third).toBeGreaterThan(second!);
});
