import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOcicatError } from '../errors.ts';
import { digestOf } from '../oci/digest.ts';
import { encodeManifest } from '../oci/manifest.ts';
import { EMPTY_JSON, OCI_INDEX, OCI_MANIFEST } from '../oci/media-types.ts';
import { bufferSource } from '../remote/blob-source.ts';
import { copy } from './copy.ts';
import { withLock } from './file-lock.ts';
import { MemoryTarget } from './memory.ts';
import { OciLayout } from './oci-layout.ts';
import type { Target } from './target.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-content-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An index over two manifests that share a layer. */
async function seed(t: Target) {
  const layer = Buffer.from('shared layer');
  const own = Buffer.from('own layer');
  const ld = { mediaType: 'application/octet-stream', digest: digestOf(layer), size: layer.length };
  const od = { mediaType: 'application/octet-stream', digest: digestOf(own), size: own.length };
  for (const [d, b] of [
    [ld, layer],
    [od, own],
    [EMPTY_JSON, Buffer.from('{}')],
  ] as const)
    await t.push(d, bufferSource(b));
  const m1 = encodeManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY_JSON, layers: [ld] });
  const m2 = encodeManifest({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: EMPTY_JSON,
    layers: [ld, od],
  });
  const d1 = { mediaType: OCI_MANIFEST, digest: digestOf(m1), size: m1.length };
  const d2 = { mediaType: OCI_MANIFEST, digest: digestOf(m2), size: m2.length };
  await t.push(d1, bufferSource(m1));
  await t.push(d2, bufferSource(m2));
  const ix = encodeManifest({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [d1, d2] });
  const root = { mediaType: OCI_INDEX, digest: digestOf(ix), size: ix.length };
  await t.push(root, bufferSource(ix), { reference: 'v1' });
  return { root, blobs: 6, shared: ld };
}

describe('OciLayout', () => {
  it('is a valid image layout that round-trips through copy', async () => {
    const mem = new MemoryTarget();
    const { root, blobs, shared } = await seed(mem);
    const layout = await OciLayout.open(join(dir, 'layout'));
    const r = await copy(mem, 'v1', layout, 'v1');
    expect(r).toMatchObject({ copied: blobs, skipped: 0 });
    expect(JSON.parse(await readFile(join(dir, 'layout', 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    expect(await layout.resolve('v1')).toEqual(root);
    expect(await layout.resolve(root.digest)).toMatchObject({ digest: root.digest, mediaType: OCI_INDEX });
    expect((await layout.tags()).map((t) => t.tag)).toEqual(['v1']);
    // and back: nothing is lost
    const back = new MemoryTarget();
    expect((await copy(layout, 'v1', back, 'again')).copied).toBe(blobs);
    expect((await back.resolve('again')).digest).toBe(root.digest);
    // a second copy finds the root and only tags it again
    expect(await copy(mem, 'v1', layout, 'v2')).toMatchObject({ copied: 0, skipped: 1 });
    expect((await layout.resolve('v2')).digest).toBe(root.digest);
    // a partial destination gets only what it lacks
    const partial = new MemoryTarget();
    await partial.push(shared, await mem.fetch(shared));
    expect(await copy(mem, 'v1', partial, 'v1')).toMatchObject({ copied: blobs - 1, skipped: 1 });
  });

  it('never leaves content that does not match its digest', async () => {
    const layout = await OciLayout.open(join(dir, 'layout'));
    const good = Buffer.from('good');
    const err = await layout
      .push({ mediaType: 'x', digest: digestOf(good), size: 4 }, bufferSource(Buffer.from('evil')))
      .catch((e) => e);
    expect(isOcicatError(err, 'DIGEST_MISMATCH')).toBe(true);
    expect(await readdir(join(dir, 'layout', 'blobs', 'sha256'))).toEqual([]);
  });

  it('refuses to tag what it does not hold and untags', async () => {
    const layout = await OciLayout.open(join(dir, 'layout'));
    const err = await layout
      .tag({ mediaType: OCI_MANIFEST, digest: digestOf('x'), size: 1 }, 't')
      .catch((e) => e);
    expect(isOcicatError(err, 'NOT_FOUND')).toBe(true);
    const { root } = await seed(layout);
    expect(await layout.untag('v1')).toBe(true);
    expect(await layout.untag('v1')).toBe(false);
    expect(await layout.exists(root)).toBe(true);
  });

  it('keeps every tag when many writers tag at once', async () => {
    const layout = await OciLayout.open(join(dir, 'layout'));
    const { root } = await seed(layout);
    const other = await OciLayout.open(join(dir, 'layout')); // a second handle, as another process would have
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? layout : other).tag(root, `t${i}`)));
    expect((await layout.tags()).length).toBe(31);
  });

  it('names a broken oci-layout file', async () => {
    await OciLayout.open(join(dir, 'layout'));
    await writeFile(join(dir, 'layout', 'oci-layout'), '{"imageLayoutVersion":"9"}');
    await expect(OciLayout.open(join(dir, 'layout'))).rejects.toThrow(/unsupported imageLayoutVersion/);
  });
});

describe('copy errors', () => {
  it('names the side that failed', async () => {
    const err = await copy(new MemoryTarget('src'), 'missing', new MemoryTarget('dst'), 'x').catch((e) => e);
    expect(err.message).toMatch(/^source src: /);
    expect(isOcicatError(err, 'NOT_FOUND')).toBe(true);
  });
});

describe('withLock', () => {
  it('serialises critical sections', async () => {
    const lock = join(dir, 'l.lock');
    const log: string[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        withLock(lock, async () => {
          log.push(`in${i}`);
          await new Promise((r) => setTimeout(r, 5));
          log.push(`out${i}`);
        }),
      ),
    );
    for (let i = 0; i < log.length; i += 2) expect(log[i]!.slice(2)).toBe(log[i + 1]!.slice(3));
  });

  it('takes over the lock of a process that died', async () => {
    const lock = join(dir, 'l.lock');
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    await writeFile(lock, `${dead}\n${(await import('node:os')).hostname()}\n`);
    expect(await withLock(lock, async () => 'ran', { timeoutMs: 2000 })).toBe('ran');
  });

  // issue 24 N7: everyone who judged the lock stale removed it, the last ones
  // removing the lock the first had just made; now one critical section at a time
  it('a stale lock taken over by many at once still admits one at a time', async () => {
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const host = (await import('node:os')).hostname();
    for (let round = 0; round < 20; round++) {
      const lock = join(dir, `stale-${round}.lock`);
      await writeFile(lock, `${dead}\n${host}\n`);
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 12 }, () =>
          withLock(
            lock,
            async () => {
              inside++;
              most = Math.max(most, inside);
              await new Promise((r) => setTimeout(r, 2));
              inside--;
            },
            { pollMs: 1 },
          ),
        ),
      );
      expect(most, `round ${round}`).toBe(1);
      expect((await readdir(dir)).filter((f) => f.startsWith(`stale-${round}.lock`))).toEqual([]);
    }
  });

  it('times out on a live holder with LOCK_TIMEOUT', async () => {
    const lock = join(dir, 'l.lock');
    await writeFile(lock, `${process.pid}\n${(await import('node:os')).hostname()}\n`);
    const err = await withLock(lock, async () => 'ran', { timeoutMs: 100 }).catch((e) => e);
    expect(isOcicatError(err, 'LOCK_TIMEOUT')).toBe(true);
  });
});
