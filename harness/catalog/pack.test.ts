import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVIL_CASES, evil } from '../../fixtures/evil-tar.ts';
import { snapshot, writeSampleCatalog } from '../../fixtures/tree.ts';
import { isOcicatError } from '../errors.ts';
import { packTree } from './pack.ts';
import { readTar } from './tar-reader.ts';
import { unpackLayer } from './unpack.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-pack-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function packBytes(src: string, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of (await packTree(src, name)).stream) chunks.push(c);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('pack', () => {
  it('gives the same bytes whatever the creation order, mtimes and umask', async () => {
    await writeSampleCatalog(join(dir, 'a'), 'sample', { mtime: new Date('2001-01-01') });
    const old = process.umask(0o077);
    try {
      await writeSampleCatalog(join(dir, 'b'), 'sample', { reverse: true, mtime: new Date('2030-06-15') });
    } finally {
      process.umask(old);
    }
    const [a, b] = [await packBytes(join(dir, 'a'), 'sample'), await packBytes(join(dir, 'b'), 'sample')];
    expect(sha(a)).toBe(sha(b));
    // gzip header: no name, mtime 0, OS "unknown"
    expect([...a.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  });

  it("writes kubara's entries: the root, then a depth-first walk in byte order, uid/gid 0, mtime 0", async () => {
    await writeSampleCatalog(join(dir, 'a'));
    const tar = gunzipSync(await packBytes(join(dir, 'a'), 'sample'));
    const paths: string[] = [];
    for await (const { entry } of readTar(
      (async function* () {
        yield tar;
      })(),
    ))
      paths.push(entry.path);
    expect(paths[0]).toBe('sample');
    expect(paths.slice(1).every((p) => p.startsWith('sample/') && !p.endsWith('/'))).toBe(true);
    // depth-first, each folder's entries in byte order: compare component by component
    const walkOrder = (x: string, y: string) => {
      const [a, b] = [x.split('/'), y.split('/')];
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const c = Buffer.compare(Buffer.from(a[i]!), Buffer.from(b[i]!));
        if (c !== 0) return c;
      }
      return a.length - b.length;
    };
    expect(paths).toEqual([...paths].sort(walkOrder));
    // not plain byte order of whole paths: "a/x" comes before "a-b" (kubara vector awkward)
    expect(paths).not.toEqual([...paths].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    expect(paths).toContain('sample/docs/ünïcødé-名前.md');
    expect(paths).toContain(`sample/docs/${'long-name-'.repeat(12)}.txt`);
    // the first header: uid, gid, mtime fields are zero, user and group names empty
    expect(tar.subarray(108, 116).toString()).toBe('0000000\0');
    expect(tar.subarray(136, 148).toString()).toBe('00000000000\0');
    expect(tar.subarray(265, 297).every((x) => x === 0)).toBe(true);
  });

  it('round-trips: unpack(pack(tree)) equals the tree', async () => {
    await writeSampleCatalog(join(dir, 'src'));
    const layer = await packBytes(join(dir, 'src'), 'sample');
    const res = await unpackLayer(
      (async function* () {
        yield layer;
      })(),
      layer.length,
      'sample',
      join(dir, 'out'),
    );
    expect(res.entries).toBeGreaterThan(15);
    expect(await snapshot(join(dir, 'out'))).toEqual(await snapshot(join(dir, 'src')));
  });

  it('refuses an existing target and leaves it alone', async () => {
    await writeSampleCatalog(join(dir, 'src'));
    const layer = await packBytes(join(dir, 'src'), 'sample');
    const err = await unpackLayer(
      (async function* () {
        yield layer;
      })(),
      layer.length,
      'sample',
      join(dir, 'src'),
    ).catch((e) => e);
    expect(isOcicatError(err, 'TARGET_EXISTS')).toBe(true);
  });
});

describe('unpack refuses hostile archives', () => {
  it.each(EVIL_CASES)('$what', async ({ layer, message }) => {
    const bytes = layer('evil');
    const parent = join(dir, 'p');
    await (await import('node:fs/promises')).mkdir(parent);
    const err = await unpackLayer(
      (async function* () {
        yield bytes;
      })(),
      bytes.length,
      'evil',
      join(parent, 'out'),
    ).catch((e) => e);
    expect(isOcicatError(err, 'UNSAFE_ARCHIVE')).toBe(true);
    expect(err.message).toMatch(message);
    expect(await readdir(parent)).toEqual([]); // nothing left, not even the temp dir
    expect(await readdir(dir)).toEqual(['p']); // nothing written beside it either
    // the same verdict without writing anything (used to vet a pull)
    const dry = await unpackLayer(
      (async function* () {
        yield bytes;
      })(),
      bytes.length,
      'evil',
      join(parent, 'out'),
      { dryRun: true },
    ).catch((e) => e);
    expect(isOcicatError(dry, 'UNSAFE_ARCHIVE')).toBe(true);
  });

  it('accepts a symlink and a hard link that stay inside', async () => {
    const bytes = evil('ok', [
      { path: 'ok/a.txt', body: Buffer.from('a') },
      { path: 'ok/link', type: '2', link: 'a.txt' },
      { path: 'ok/hard', type: '1', link: 'ok/a.txt' },
    ]);
    await unpackLayer(
      (async function* () {
        yield bytes;
      })(),
      bytes.length,
      'ok',
      join(dir, 'out'),
    );
    expect((await snapshot(join(dir, 'out'))).map((n) => n.path)).toEqual(['a.txt', 'hard', 'link']);
  });
});
