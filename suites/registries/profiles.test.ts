// Each proxy profile shows its documented behaviour (REGISTRY-FACTS) to a raw
// HTTP request, in front of a real registry (distribution 3 when built, which
// paginates natively; else 2.8).
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../harness/oci/digest.ts';
import { encodeManifest } from '../../harness/oci/manifest.ts';
import { EMPTY_JSON, OCI_MANIFEST } from '../../harness/oci/media-types.ts';
import { bufferSource } from '../../harness/remote/blob-source.ts';
import type { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { distribution3 } from '../../registries/definitions/distribution3.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { profile } from '../../registries/proxy/profiles/index.ts';
import { type StartedProxy, startProxy } from '../../registries/proxy/proxy.ts';
import { RegistryUnavailable, type StartedRegistry } from '../../registries/types.ts';
import { clientFor } from '../support/registry.ts';

let reg: StartedRegistry;
let client: RegistryClient;

beforeAll(async () => {
  reg = await startProcess(distribution3).catch((e) => {
    if (e instanceof RegistryUnavailable) return startProcess(distribution2);
    throw e;
  });
  client = clientFor(reg);
});
afterAll(async () => {
  await client?.close();
  await reg?.stop();
});

async function raw(
  proxy: StartedProxy,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string } = {},
) {
  const res = await request(`${proxy.url()}${path}`, {
    method: method as 'GET',
    headers: options.headers ?? {},
    body: options.body ?? null,
  });
  const text = method === 'HEAD' ? '' : await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as { errors?: Array<{ code: string }>; tags?: string[] },
  };
}

const code = (r: { json: () => { errors?: Array<{ code: string }> } }) => r.json().errors?.[0]?.code;

/** An image manifest (empty config, one layer) under `tag` in `repository`, pushed straight to the registry. */
async function seed(
  repository: string,
  tags: string[],
  extra: Record<string, unknown> = {},
): Promise<Buffer> {
  const repo = new RemoteRepository(client, { registry: reg.host, repository });
  const layer = randomBytes(64);
  const ld = { mediaType: 'application/octet-stream', digest: digestOf(layer), size: layer.length };
  await repo.pushBlob(ld, bufferSource(layer));
  await repo.pushBlob(EMPTY_JSON, bufferSource(Buffer.from('{}')));
  const m = encodeManifest({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: EMPTY_JSON,
    layers: [ld],
    ...extra,
  });
  for (const t of tags) await repo.putManifest(t, m, OCI_MANIFEST);
  return m;
}

async function startUpload(proxy: StartedProxy, repository: string): Promise<string> {
  const r = await raw(proxy, 'POST', `/v2/${repository}/blobs/uploads/`);
  expect(r.status).toBe(202);
  return (
    new URL(String(r.headers.location), proxy.url()).pathname +
    new URL(String(r.headers.location), proxy.url()).search
  );
}

const withDigest = (loc: string, digest: string) =>
  `${loc}${loc.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;

describe('proxy profiles', () => {
  it('ECR: PATCH 201 with a stuck Range, n > 1000 refused, manifest PUTs rate-limited, artifactType UNSUPPORTED', async () => {
    await using proxy = await startProxy(reg, profile('ecr').rules());
    const loc = await startUpload(proxy, 'ecr/app');
    const patch = await raw(proxy, 'PATCH', loc, {
      headers: { 'content-type': 'application/octet-stream', 'content-range': '0-9' },
      body: '0123456789',
    });
    expect(patch.status).toBe(201);
    expect(patch.headers.range).toBe('0-0');
    const tags = await raw(proxy, 'GET', '/v2/ecr/app/tags/list?n=1001');
    expect(tags.status).toBe(400);
    expect(code(tags)).toBe('UNSUPPORTED');
    const m = await seed('ecr/app', []);
    // all at once, so that they land in one second however loaded the machine is
    const statuses = await Promise.all(
      Array.from(
        { length: 14 },
        async (_, i) =>
          (
            await raw(proxy, 'PUT', `/v2/ecr/app/manifests/t${i}`, {
              headers: { 'content-type': OCI_MANIFEST },
              body: m,
            })
          ).status,
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    const art = encodeManifest({ ...JSON.parse(m.toString()), artifactType: 'application/vnd.example' });
    await new Promise((r) => setTimeout(r, 1100)); // out of the rate window
    const refused = await raw(proxy, 'PUT', '/v2/ecr/app/manifests/art', {
      headers: { 'content-type': OCI_MANIFEST },
      body: art,
    });
    expect(refused.status).toBe(400);
    expect(code(refused)).toBe('UNSUPPORTED');
  });

  it('GHCR: referrers 404, delete 405 UNSUPPORTED, PATCH over 4 MiB 416', async () => {
    await using proxy = await startProxy(reg, profile('ghcr').rules());
    const m = await seed('ghcr/app', ['1']);
    const refs = await raw(proxy, 'GET', `/v2/ghcr/app/referrers/${digestOf(m)}`);
    expect(refs.status).toBe(404);
    expect(refs.headers['content-type']).toMatch(/text\/plain/);
    const del = await raw(proxy, 'DELETE', `/v2/ghcr/app/manifests/${digestOf(m)}`);
    expect(del.status).toBe(405);
    expect(code(del)).toBe('UNSUPPORTED');
    const loc = await startUpload(proxy, 'ghcr/app');
    const big = await raw(proxy, 'PATCH', loc, {
      headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${4 * 1024 * 1024}` },
      body: Buffer.alloc(4 * 1024 * 1024 + 1),
    });
    expect(big.status).toBe(416);
    const ok = await raw(proxy, 'PATCH', loc, {
      headers: { 'content-type': 'application/octet-stream', 'content-range': '0-1023' },
      body: Buffer.alloc(1024),
    });
    expect(ok.status).toBe(202);
  });

  it('ACR: chunked transfer encoding 400 CONTENT_LENGTH_INVALID, monolithic PUT over 20 MB 413', async () => {
    await using proxy = await startProxy(reg, profile('acr').rules());
    const loc = await startUpload(proxy, 'acr/app');
    const chunked = await request(`${proxy.url()}${withDigest(loc, digestOf('x'))}`, {
      method: 'PUT',
      // a stream with no length: undici sends it with Transfer-Encoding: chunked
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from([Buffer.from('x')]),
    });
    expect(chunked.statusCode).toBe(400);
    expect(JSON.parse(await chunked.body.text()).errors[0].code).toBe('CONTENT_LENGTH_INVALID');
    const big = Buffer.alloc(21 * 1000 * 1000, 1);
    const loc2 = await startUpload(proxy, 'acr/app');
    const r = await raw(proxy, 'PUT', withDigest(loc2, digestOf(big)), {
      headers: { 'content-type': 'application/octet-stream' },
      body: big,
    });
    expect(r.status).toBe(413);
  });

  it('GAR: zero-byte blob 400, {} config 400, manifest HEAD without Accept 404', async () => {
    await using proxy = await startProxy(reg, profile('gar').rules());
    const zero = await raw(proxy, 'PUT', withDigest(await startUpload(proxy, 'gar/app'), digestOf('')), {
      headers: { 'content-type': 'application/octet-stream' },
      body: '',
    });
    expect(zero.status).toBe(400);
    const empty = await raw(
      proxy,
      'PUT',
      withDigest(await startUpload(proxy, 'gar/app'), EMPTY_JSON.digest),
      { headers: { 'content-type': 'application/octet-stream' }, body: '{}' },
    );
    expect(empty.status).toBe(400);
    await seed('gar/app', ['1']);
    expect((await raw(proxy, 'HEAD', '/v2/gar/app/manifests/1')).status).toBe(404);
    expect(
      (await raw(proxy, 'HEAD', '/v2/gar/app/manifests/1', { headers: { accept: OCI_MANIFEST } })).status,
    ).toBe(200);
  });

  it('Docker Hub: no referrers, 100 tags a page with Link, delete by digest 405, ratelimit headers', async () => {
    await using proxy = await startProxy(reg, profile('dockerhub').rules());
    const tags = Array.from({ length: 130 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    const m = await seed('hub/app', tags);
    expect((await raw(proxy, 'GET', `/v2/hub/app/referrers/${digestOf(m)}`)).status).toBe(404);
    const first = await raw(proxy, 'GET', '/v2/hub/app/tags/list?n=1000');
    expect(first.json().tags).toHaveLength(100);
    expect(first.headers.link).toBe('</v2/hub/app/tags/list?n=100&last=t099>; rel="next"');
    const second = await raw(proxy, 'GET', '/v2/hub/app/tags/list?n=100&last=t099');
    expect(second.json().tags).toHaveLength(30);
    expect(second.headers.link).toBeUndefined();
    expect(
      (
        await new RemoteRepository(clientFor({ ...reg, host: proxy.host }), {
          registry: proxy.host,
          repository: 'hub/app',
        }).listTags()
      ).length,
    ).toBe(130);
    expect((await raw(proxy, 'DELETE', `/v2/hub/app/manifests/${digestOf(m)}`)).status).toBe(405);
    const get = await raw(proxy, 'GET', '/v2/hub/app/manifests/t000', { headers: { accept: OCI_MANIFEST } });
    expect(get.headers['ratelimit-remaining']).toBe('99;w=21600');
  });

  it('Quay: artifact manifest 415, unlisted config 400, mount without from 400, next_page links, blob PUT text/html', async () => {
    await using proxy = await startProxy(reg, profile('quay').rules());
    const m = JSON.parse((await seed('quay/app', ['a', 'b', 'c'])).toString());
    const art = await raw(proxy, 'PUT', '/v2/quay/app/manifests/x', {
      headers: { 'content-type': 'application/vnd.oci.artifact.manifest.v1+json' },
      body: JSON.stringify({
        mediaType: 'application/vnd.oci.artifact.manifest.v1+json',
        artifactType: 'x',
        blobs: [],
      }),
    });
    expect(art.status).toBe(415);
    const unknown = await raw(proxy, 'PUT', '/v2/quay/app/manifests/y', {
      headers: { 'content-type': OCI_MANIFEST },
      body: JSON.stringify({ ...m, config: { ...m.config, mediaType: 'application/x-unknown' } }),
    });
    expect(unknown.status).toBe(400);
    const mount = await raw(
      proxy,
      'POST',
      `/v2/quay/app/blobs/uploads/?mount=${encodeURIComponent(EMPTY_JSON.digest)}`,
    );
    expect(mount.status).toBe(400);
    const page = await raw(proxy, 'GET', '/v2/quay/app/tags/list?n=2');
    expect(page.json().tags).toEqual(['a', 'b']);
    expect(page.headers.link).toMatch(
      /^<\/v2\/quay\/app\/tags\/list\?n=2&next_page=[A-Za-z0-9_-]+>; rel="next"$/,
    );
    const blob = Buffer.from('quay blob');
    const put = await raw(proxy, 'PUT', withDigest(await startUpload(proxy, 'quay/app'), digestOf(blob)), {
      headers: { 'content-type': 'application/octet-stream' },
      body: blob,
    });
    expect(put.status).toBe(201);
    expect(put.headers['content-type']).toMatch(/text\/html/);
  });

  it('GitLab: unknown config media type or artifactType 400 MANIFEST_INVALID, an image manifest passes', async () => {
    await using proxy = await startProxy(reg, profile('gitlab').rules());
    const m = JSON.parse((await seed('gitlab/app', [])).toString());
    const withType = await raw(proxy, 'PUT', '/v2/gitlab/app/manifests/1', {
      headers: { 'content-type': OCI_MANIFEST },
      body: JSON.stringify({ ...m, artifactType: 'application/vnd.example' }),
    });
    expect(withType.status).toBe(400);
    expect(withType.text).toMatch(/unknown media type/);
    const emptyConfig = await raw(proxy, 'PUT', '/v2/gitlab/app/manifests/2', {
      headers: { 'content-type': OCI_MANIFEST },
      body: JSON.stringify(m),
    });
    expect(emptyConfig.status).toBe(400);
    const cfg = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const cd = {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: digestOf(cfg),
      size: cfg.length,
    };
    await new RemoteRepository(client, { registry: reg.host, repository: 'gitlab/app' }).pushBlob(
      cd,
      bufferSource(cfg),
    );
    const image = await raw(proxy, 'PUT', '/v2/gitlab/app/manifests/3', {
      headers: { 'content-type': OCI_MANIFEST },
      body: JSON.stringify({ ...m, config: cd }),
    });
    expect(image.status).toBe(201);
  });

  it('Harbor 2.15.2 as measured: missing project, NOT_FOUND, delete rules, monolithic POST, referrers', async () => {
    await using proxy = await startProxy(reg, profile('harbor').rules());
    // a push to a project that does not exist: 401 "project ... not found", empty WWW-Authenticate
    const none = await raw(proxy, 'POST', '/v2/noproject/app/blobs/uploads/');
    expect(none.status).toBe(401);
    expect(none.text).toMatch(/project noproject not found/);
    expect(none.headers['www-authenticate']).toBe('');
    expect((await raw(proxy, 'POST', '/v2/library/app/blobs/uploads/')).status).toBe(202);
    // a missing manifest: 404 NOT_FOUND
    const missing = await raw(proxy, 'GET', '/v2/library/app/manifests/nope', {
      headers: { accept: OCI_MANIFEST },
    });
    expect(missing.status).toBe(404);
    expect(code(missing)).toBe('NOT_FOUND');
    // a single monolithic POST answers 202
    const blob = randomBytes(32);
    const mono = await raw(proxy, 'POST', `/v2/library/app/blobs/uploads/?digest=${digestOf(blob)}`, {
      headers: { 'content-type': 'application/octet-stream' },
      body: blob,
    });
    expect(mono.status).toBe(202);
    // ... and its Location is a session that takes the bytes
    const session = new URL(String(mono.headers.location), `http://${proxy.host}`);
    session.searchParams.set('digest', digestOf(blob));
    const closing = await raw(proxy, 'PUT', `${session.pathname}${session.search}`, {
      headers: { 'content-type': 'application/octet-stream' },
      body: blob,
    });
    expect(closing.status).toBe(201);
    // DELETE by tag 400 UNSUPPORTED; by digest 202
    const m = await seed('library/app', ['v1']);
    const byTag = await raw(proxy, 'DELETE', '/v2/library/app/manifests/v1');
    expect(byTag.status).toBe(400);
    expect(code(byTag)).toBe('UNSUPPORTED');
    // referrers: OCI-Subject on the PUT, the index, the artifactType filter, an unknown digest
    const subject = { mediaType: OCI_MANIFEST, digest: digestOf(m), size: m.length };
    const sig = encodeManifest({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sig',
      config: EMPTY_JSON,
      layers: [EMPTY_JSON],
      subject,
    });
    const put = await raw(proxy, 'PUT', `/v2/library/app/manifests/${digestOf(sig)}`, {
      headers: { 'content-type': OCI_MANIFEST },
      body: sig,
    });
    expect(put.status).toBe(201);
    expect(put.headers['oci-subject']).toBe(subject.digest);
    const refs = await raw(proxy, 'GET', `/v2/library/app/referrers/${subject.digest}`);
    expect(refs.status).toBe(200);
    expect(JSON.parse(refs.text).manifests.map((x: { digest: string }) => x.digest)).toEqual([digestOf(sig)]);
    const filtered = await raw(
      proxy,
      'GET',
      `/v2/library/app/referrers/${subject.digest}?artifactType=other%2Ftype`,
    );
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
    expect(JSON.parse(filtered.text).manifests).toEqual([]);
    const unknown = await raw(proxy, 'GET', `/v2/library/app/referrers/sha256:${'0'.repeat(64)}`);
    expect(unknown.status).toBe(200);
    expect(JSON.parse(unknown.text).manifests).toEqual([]);
    const byDigest = await raw(proxy, 'DELETE', `/v2/library/app/manifests/${digestOf(sig)}`);
    expect(byDigest.status).toBe(202);
  });

  it("Harbor's profile gives the conformance verdicts the measured Harbor 2.15.2 gives", async () => {
    const { FEATURES } = await import('../conformance/features/index.ts');
    const { runFeature } = await import('../conformance/run-feature.ts');
    await using proxy = await startProxy(reg, profile('harbor').rules());
    const target = {
      id: 'profile/harbor',
      title: 'Harbor (profile)',
      name: 'harbor',
      version: '2.15.2',
      provider: 'proxy' as const,
      auth: 'anonymous',
      host: proxy.host,
      plainHttp: true,
      namespace: 'catalogs/conformance',
    };
    // REGISTRY-FACTS "Harbor 2.15.2", feature by feature
    const expected: Record<string, string> = {
      'referrers.api': 'pass', // the API, with OCI-Subject
      'delete.tag': 'unsupported', // 400 UNSUPPORTED
      'delete.manifest': 'pass', // by digest: 202
      'delete.blob': 'pass', // a blob no manifest uses: 202, then 404
      'delete.blob.empty-config': 'fail', // the empty JSON blob: 202, then still 200 (2026-12-01)
      'push.blob.sha512': 'fail', // accepted, then reported under sha256 (2026-12-01)
      'push.blob.out-of-order': 'fail', // an out-of-order chunk accepted with 202 (2026-12-01)
      'errors.oci-body': 'fail', // NOT_FOUND, not MANIFEST_UNKNOWN
      'push.blob.monolithic': 'pass',
      'catalog.push': 'pass',
      'catalog.pull': 'pass',
    };
    const got: Record<string, string> = {};
    for (const id of Object.keys(expected)) {
      const f = FEATURES.find((x) => x.id === id)!;
      const r = await runFeature(f, { targets: [target] }, target);
      got[id] = r.status;
    }
    expect(got).toEqual(expected);
  });
});
