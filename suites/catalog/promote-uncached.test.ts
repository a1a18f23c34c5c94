// Promote without a local copy (issue 28): `catalog push DST --from SRC` on a
// machine that has not pulled SRC is what `pull SRC` then `push DST --from SRC`
// does, with the two overlapping: the same manifest digest at the destination
// and the same cache entry after, against real registries (distribution 2.8 and
// olareg). A source blob whose bytes do not match its digest, or a destination
// that refuses the layer, stops it with one line naming the side and the blob,
// exit 1, nothing tagged at the destination and nothing in the cache.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import { olareg } from '../../registries/definitions/olareg.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { ocicat } from '../support/cli.ts';
import { tryStart } from '../support/registry.ts';

let a: StartedRegistry | undefined;
let b: StartedRegistry | undefined;
let skip: string | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-promote-'));
  ({ reg: a, skip } = await tryStart(() => startDistribution2()));
  if (a) ({ reg: b, skip } = await tryStart(() => startProcess(olareg)));
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await rm(dir, { recursive: true, force: true });
});

const json = <T>(s: string) => JSON.parse(s) as T;
let n = 0;
/** A catalog packaged and pushed to a, from a home of its own; its reference and digest. */
async function published(name: string, extraBytes = 0) {
  const h = join(dir, `publisher-${n++}`);
  await writeSampleCatalog(join(dir, name), name);
  // incompressible bytes, so that the layer is large enough to be cut mid-body
  if (extraBytes) await writeFile(join(dir, name, 'data', 'big.bin'), randomBytes(extraBytes));
  const pkg = json<{ reference: string; digest: string }>(
    (
      await ocicat(['catalog', 'package', `oci://${a!.host}/dev/`, '--work-dir', join(dir, name), '--json'], {
        home: h,
      })
    ).stdout,
  );
  expect((await ocicat(['catalog', 'push', pkg.reference, '--plain-http'], { home: h })).code).toBe(0);
  return pkg;
}
/** The catalog layer of a manifest, read straight from the registry. */
async function layerOf(host: string, repo: string, tag: string) {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  return (JSON.parse(await res.text()) as { layers: Array<{ digest: string; size: number }> }).layers[0]!;
}
const list = async (h: string) =>
  json<Array<{ reference: string; digest: string; version: string; name: string }>>(
    (await ocicat(['catalog', 'list', '--json'], { home: h })).stdout,
  );

describe('push --from a catalog that is not cached', () => {
  it('is pull + push: the same digest at the destination, the same cache entry after', async (ctx) => {
    if (!a || !b) return ctx.skip(skip ?? 'no registry');
    const pkg = await published('pu');
    // the reference result: pull, then push --from, in one home
    const h1 = join(dir, 'two-steps');
    expect((await ocicat(['catalog', 'pull', pkg.reference, '--plain-http'], { home: h1 })).code).toBe(0);
    const two = await ocicat(
      ['catalog', 'push', `oci://${b.host}/prod/pu:1.0.0`, '--from', pkg.reference, '--plain-http', '--json'],
      { home: h1 },
    );
    expect(two.code, two.stderr).toBe(0);
    // one step, on a machine that has not pulled it, to another registry and to another repository
    const h2 = join(dir, 'one-step');
    const one = await ocicat(
      [
        'catalog',
        'push',
        `oci://${b.host}/stage/pu:1.0.0`,
        '--from',
        pkg.reference,
        '--plain-http',
        '--json',
      ],
      { home: h2 },
    );
    expect(one.code, one.stderr).toBe(0);
    expect(json<{ digest: string }>(one.stdout).digest).toBe(json<{ digest: string }>(two.stdout).digest);
    expect(json<{ digest: string }>(one.stdout).digest).toBe(pkg.digest);
    expect(await list(h2)).toEqual(await list(h1));
    const h3 = join(dir, 'one-step-same');
    const same = await ocicat(
      ['catalog', 'push', `oci://${a.host}/prod/pu:1.0.0`, '--from', pkg.reference, '--plain-http', '--json'],
      { home: h3 },
    );
    expect(same.code, same.stderr).toBe(0);
    expect(json<{ digest: string }>(same.stdout).digest).toBe(pkg.digest);
    expect(await list(h3)).toEqual(await list(h1));
    // what landed reads back: a pull of the destination elsewhere
    expect(
      (
        await ocicat(['catalog', 'pull', `oci://${b.host}/stage/pu:1.0.0`, '--plain-http'], {
          home: join(dir, 'reader'),
        })
      ).code,
    ).toBe(0);
  });

  it('a source blob whose bytes do not match its digest: nothing at the destination, nothing cached', async (ctx) => {
    if (!a || !b) return ctx.skip(skip ?? 'no registry');
    const pkg = await published('pc');
    await using bad = await startProxy(a, [
      {
        name: 'corrupts the layer',
        method: 'GET',
        path: /\/blobs\/sha256:/,
        when: (req) => !req.path.includes('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'),
        action: { kind: 'corrupt-response', atByte: 100 },
      },
    ]);
    const from = pkg.reference.replace(a.host, bad.host);
    const layer = await layerOf(a.host, 'dev/pc', '1.0.0');
    // what reaches the destination: the upload never completes with the corrupted bytes
    const complete: number[] = [];
    await using watch = await startProxy(b, [
      {
        name: 'watches upload bodies',
        method: ['PUT', 'PATCH'],
        path: /\/blobs\/uploads\//,
        body: (body) => {
          if (body.length === layer.size) complete.push(body.length);
          return false;
        },
        reply: { status: 500 },
      },
    ]);
    const h = join(dir, 'corrupt');
    const r = await ocicat(
      ['catalog', 'push', `oci://${watch.host}/prod/pc:1.0.0`, '--from', from, '--plain-http'],
      { home: h },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: source oci://${bad.host}/dev/pc:1\\.0\\.0: .*digest`, 'm'));
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(await list(h)).toEqual([]);
    const tag = await fetch(`http://${b.host}/v2/prod/pc/manifests/1.0.0`, { method: 'HEAD' });
    expect(tag.status).toBe(404);
    expect(
      (await fetch(`http://${b.host}/v2/prod/pc/blobs/${layer.digest}`, { method: 'HEAD' })).status,
    ).toBe(404);
    expect(complete).toEqual([]);
  });

  it('a source that disappears mid-copy: one line naming it and the blob, nothing tagged, nothing cached', async (ctx) => {
    if (!a || !b) return ctx.skip(skip ?? 'no registry');
    const pkg = await published('pe', 3 * 1024 * 1024);
    const layer = await layerOf(a.host, 'dev/pe', '1.0.0');
    // the source goes away half-way through the layer, and every retry meets the same
    await using gone = await startProxy(a, [
      {
        name: 'source gone mid-body',
        method: 'GET',
        path: new RegExp(`/blobs/${layer.digest}`),
        action: { kind: 'cut-response', fraction: 0.5 },
      },
    ]);
    const from = pkg.reference.replace(a.host, gone.host);
    const h = join(dir, 'gone');
    const r = await ocicat(
      ['catalog', 'push', `oci://${b.host}/prod/pe:1.0.0`, '--from', from, '--plain-http'],
      {
        home: h,
      },
    );
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(`^error: source oci://${gone.host}/dev/pe:1\\.0\\.0: .*${layer.digest}`),
    );
    expect(gone.hits.length).toBeGreaterThan(1); // it was retried before it gave up
    expect(await list(h)).toEqual([]);
    expect((await fetch(`http://${b.host}/v2/prod/pe/manifests/1.0.0`, { method: 'HEAD' })).status).toBe(404);
    expect(
      (await fetch(`http://${b.host}/v2/prod/pe/blobs/${layer.digest}`, { method: 'HEAD' })).status,
    ).toBe(404);
  });

  it('a destination that refuses the layer: one line naming it and the blob, nothing tagged, nothing cached', async (ctx) => {
    if (!a || !b) return ctx.skip(skip ?? 'no registry');
    const pkg = await published('pd');
    await using refusing = await startProxy(b, [
      {
        name: 'refuses the layer',
        method: 'PUT',
        path: /\/blobs\/uploads\//,
        reply: {
          status: 403,
          headers: { 'content-type': 'application/json' },
          body: '{"errors":[{"code":"DENIED","message":"storage quota exceeded"}]}',
        },
      },
    ]);
    const h = join(dir, 'refused');
    const r = await ocicat(
      ['catalog', 'push', `oci://${refusing.host}/prod/pd:1.0.0`, '--from', pkg.reference, '--plain-http'],
      { home: h },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: destination oci://${refusing.host}/prod/pd:1\\.0\\.0: blob sha256:[0-9a-f]{64}: .*storage quota exceeded`,
        'm',
      ),
    );
    expect(await list(h)).toEqual([]);
    const tag = await fetch(`http://${b.host}/v2/prod/pd/manifests/1.0.0`, { method: 'HEAD' });
    expect(tag.status).toBe(404);
  });
});
