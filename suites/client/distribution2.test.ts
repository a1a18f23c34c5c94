// The Distribution client against a real distribution 2.8 (Debian docker-registry),
// anonymous and with htpasswd. skopeo (a client we did not write) judges what we pushed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomFile } from '../../fixtures/random-file.ts';
import { copy } from '../../harness/content/copy.ts';
import { OciLayout } from '../../harness/content/oci-layout.ts';
import { RemoteTarget } from '../../harness/content/remote-target.ts';
import { isOcicatError } from '../../harness/errors.ts';
import { digestOf } from '../../harness/oci/digest.ts';
import { encodeManifest, type ImageManifest } from '../../harness/oci/manifest.ts';
import { EMPTY_JSON, OCI_MANIFEST } from '../../harness/oci/media-types.ts';
import { StaticStore } from '../../harness/remote/auth/credential.ts';
import { bufferSource, fileSourceOf } from '../../harness/remote/blob-source.ts';
import type { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { clientFor, tryStart } from '../support/registry.ts';
import { skopeoInspectRaw } from '../support/skopeo.ts';

const MiB = 1024 * 1024;

describe.each(['anonymous', 'htpasswd'] as const)('distribution 2.8 (%s)', (auth) => {
  let reg: StartedRegistry | undefined;
  let skip: string | undefined;
  let client: RegistryClient;
  let dir: string;

  beforeAll(async () => {
    ({ reg, skip } = await tryStart(() => startDistribution2({ auth })));
    if (reg) client = clientFor(reg, { retry: { maxRetries: 2, baseDelayMs: 10 } });
    dir = await mkdtemp(join(tmpdir(), 'ocicat-int-'));
  });
  afterAll(async () => {
    await client?.close();
    await reg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const repo = (name: string) => new RemoteRepository(client, { registry: reg!.host, repository: name });

  it('pushes blobs monolithic and chunked, and pulls them back verified', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const a = repo('blobs/a');
    const mono = await randomFile(join(dir, 'mono'), 3 * MiB + 7);
    const chunked = await randomFile(join(dir, 'chunked'), 5 * MiB + 3);
    expect(await a.pushBlob(mono, await fileSourceOf(join(dir, 'mono')))).toEqual({ via: 'monolithic' });
    expect(
      await a.pushBlob(chunked, await fileSourceOf(join(dir, 'chunked')), {
        strategy: 'chunked',
        chunkSize: MiB,
      }),
    ).toEqual({ via: 'chunked' });
    for (const [d, name] of [
      [mono, 'mono'],
      [chunked, 'chunked'],
    ] as const) {
      expect(await a.headBlob(d.digest)).toEqual({ size: d.size, digest: d.digest });
      await a.downloadBlob(d, join(dir, `${name}.out`));
      expect((await readFile(join(dir, `${name}.out`))).equals(d.bytes)).toBe(true);
    }
    // a zero-byte blob goes through both paths too
    const empty = { digest: digestOf(''), size: 0 };
    await a.pushBlob(empty, bufferSource(Buffer.alloc(0)), { strategy: 'chunked' });
    expect((await a.headBlob(empty.digest))?.size).toBe(0);
  });

  it('reads a blob from an offset with Range', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const a = repo('blobs/range');
    const body = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    const d = { digest: digestOf(body), size: body.length };
    await a.pushBlob(d, bufferSource(body));
    const chunks: Buffer[] = [];
    for await (const c of a.readBlob(d, { offset: 20 })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('uvwxyz');
    expect(client.capabilities(reg!.host).rangeGet).toBe(true);
  });

  it('mounts a blob across repositories', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const body = Buffer.from(`mount me ${auth}`);
    const d = { digest: digestOf(body), size: body.length };
    await repo('mount/src').pushBlob(d, bufferSource(body));
    expect(await repo('mount/dst').pushBlob(d, bufferSource(body), { mountFrom: 'mount/src' })).toEqual({
      via: 'mount',
    });
    expect(await repo('mount/dst').headBlob(d.digest)).toBeDefined();
    expect(client.capabilities(reg!.host).mount).toBe(true);
  });

  it('puts and gets manifests, lists tags, and skopeo reads what we pushed', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const r = repo('manifests/app');
    const layer = Buffer.from('layer bytes');
    const ld = { mediaType: 'application/vnd.example.layer', digest: digestOf(layer), size: layer.length };
    await r.pushBlob(ld, bufferSource(layer));
    await r.pushBlob(EMPTY_JSON, bufferSource(Buffer.from('{}')));
    const m: ImageManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.thing',
      config: EMPTY_JSON,
      layers: [ld],
      annotations: { 'org.example': 'x' },
    };
    const bytes = encodeManifest(m);
    for (const tag of ['1.0.0', '1.0.1', '2.0.0'])
      expect((await r.putManifest(tag, bytes, OCI_MANIFEST)).digest).toBe(digestOf(bytes));
    const got = await r.getManifest('1.0.0');
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(got.descriptor).toEqual({
      mediaType: OCI_MANIFEST,
      digest: digestOf(bytes),
      size: bytes.length,
      artifactType: m.artifactType,
    });
    expect(await r.headManifest(digestOf(bytes))).toEqual({
      mediaType: OCI_MANIFEST,
      digest: digestOf(bytes),
      size: bytes.length,
    });
    expect(await r.headManifest('9.9.9')).toBeUndefined();
    expect((await r.listTags({ pageSize: 2 })).sort()).toEqual(['1.0.0', '1.0.1', '2.0.0']);
    const seen = await skopeoInspectRaw(reg!, 'manifests/app:2.0.0');
    if (seen.skip) return ctx.skip(seen.skip);
    expect(seen.raw?.equals(bytes)).toBe(true);
  });

  it('keeps referrers under the tag schema when the registry has no referrers API', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const t = new RemoteTarget(client, { registry: reg!.host, repository: 'refs/app' });
    const subjectBytes = encodeManifest({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: EMPTY_JSON,
      layers: [],
    });
    await t.push(EMPTY_JSON, bufferSource(Buffer.from('{}')));
    const subject = { mediaType: OCI_MANIFEST, digest: digestOf(subjectBytes), size: subjectBytes.length };
    await t.push(subject, bufferSource(subjectBytes), { reference: 'v1' });
    const sig = encodeManifest({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sig',
      config: EMPTY_JSON,
      layers: [],
      subject,
    });
    await t.push({ mediaType: OCI_MANIFEST, digest: digestOf(sig), size: sig.length }, bufferSource(sig));
    const found = await t.repo.listReferrers(subject.digest, 'application/vnd.example.sig');
    expect(found.via).toBe('tag-schema');
    expect(found.referrers.map((d) => d.digest)).toEqual([digestOf(sig)]);
    expect(client.capabilities(reg!.host).referrersApi).toBe(false);
  });

  it('deletes manifests and blobs, and records that delete by tag is refused', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const r = repo('delete/app');
    const body = Buffer.from('to delete');
    const d = { digest: digestOf(body), size: body.length };
    await r.pushBlob(d, bufferSource(body));
    await r.pushBlob(EMPTY_JSON, bufferSource(Buffer.from('{}')));
    const bytes = encodeManifest({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: EMPTY_JSON,
      layers: [{ mediaType: 'application/octet-stream', ...d }],
    });
    await r.putManifest('1', bytes, OCI_MANIFEST);
    const byTag = await r.deleteTag('1').catch((e) => e);
    expect(byTag).toBeInstanceOf(Error); // distribution 2.8: delete by tag -> 400 (REGISTRY-FACTS)
    expect(client.capabilities(reg!.host).deleteTag).toBe(false);
    await r.deleteManifest(digestOf(bytes));
    expect(await r.headManifest('1')).toBeUndefined();
    await r.deleteBlob(d.digest);
    expect(await r.headBlob(d.digest)).toBeUndefined();
  });

  it('copies a graph registry -> layout -> another repository, skipping what exists', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const src = new RemoteTarget(client, { registry: reg!.host, repository: 'copy/src' });
    const layer = await randomFile(join(dir, 'copy-layer'), 2 * MiB);
    const ld = { mediaType: 'application/vnd.example.layer', digest: layer.digest, size: layer.size };
    await src.push(ld, await fileSourceOf(join(dir, 'copy-layer')));
    await src.push(EMPTY_JSON, bufferSource(Buffer.from('{}')));
    const mb = encodeManifest({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: EMPTY_JSON,
      layers: [ld],
    });
    const md = { mediaType: OCI_MANIFEST, digest: digestOf(mb), size: mb.length };
    await src.push(md, bufferSource(mb), { reference: '1.0.0' });

    const layout = await OciLayout.open(join(dir, 'layout'));
    const down = await copy(src, '1.0.0', layout, '1.0.0');
    expect(down.copied).toBe(3);
    expect((await readFile(layout.blobPath(layer.digest))).equals(layer.bytes)).toBe(true);
    expect((await layout.resolve('1.0.0')).digest).toBe(md.digest);

    const dst = new RemoteTarget(client, { registry: reg!.host, repository: 'copy/dst' });
    const up = await copy(layout, '1.0.0', dst, '2.0.0');
    expect(up).toMatchObject({ copied: 3, skipped: 0 });
    expect((await dst.resolve('2.0.0')).digest).toBe(md.digest);
    const again = await copy(layout, '1.0.0', dst, '2.0.0');
    expect(again).toMatchObject({ copied: 0, skipped: 1 }); // the root is there: only its tag is put again

    const promoted = await copy(
      src,
      '1.0.0',
      new RemoteTarget(client, { registry: reg!.host, repository: 'copy/promoted' }),
      '1.0.0',
    );
    expect(promoted.copied).toBe(3);
    expect(client.capabilities(reg!.host).mount).toBe(true);
  });
});

describe('distribution 2.8 with htpasswd', () => {
  it('refuses wrong credentials with a clear error', async (ctx) => {
    const { reg, skip } = await tryStart(() => startDistribution2({ auth: 'htpasswd' }));
    if (!reg) return ctx.skip(skip);
    await using _ = reg;
    const bad = clientFor(reg, {
      credentials: new StaticStore({
        [reg.host]: { username: reg.login!.username, password: 'not-the-password' },
      }),
    });
    const err = await new RemoteRepository(bad, { registry: reg.host, repository: 'x' })
      .listTags()
      .catch((e) => e);
    await bad.close();
    expect(isOcicatError(err, 'UNAUTHORIZED')).toBe(true);
    expect(err.message).not.toContain('not-the-password');
    const anon = clientFor({ ...reg, login: undefined } as StartedRegistry);
    const err2 = await new RemoteRepository(anon, { registry: reg.host, repository: 'x' })
      .listTags()
      .catch((e) => e);
    await anon.close();
    expect(isOcicatError(err2, 'UNAUTHORIZED')).toBe(true);
    expect(err2.hint).toContain('log in');
  });
});
