// Zarf packages as Zarf publishes them (issue 27), against real registries: the
// three vectors pass on olareg and distribution 2.8, and fail behind the GitLab and
// Quay profiles (their allow-lists refuse Zarf's config media type; Zarf has no
// fallback) with the registry's answer; vector-large's shape (a generated 300 MiB
// layer, one monolithic PUT) passes on olareg. `ocicat copy` promotes a Zarf package
// between registries with its digests unchanged, and within one registry by mount;
// a source that is not there and a destination that refuses a blob each give one
// line naming the side, exit 1, and nothing tagged.
import { createHash } from 'node:crypto';
import { chmod, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadZarfVector, type ZarfVectorName, zarfVectorsDir } from '../../fixtures/zarf-vectors.ts';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { distribution3 } from '../../registries/definitions/distribution3.ts';
import { olareg } from '../../registries/definitions/olareg.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { profile } from '../../registries/proxy/profiles/index.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { ocicat } from '../support/cli.ts';
import { verdictOf } from '../support/feature-verdict.ts';
import { clientFor, tryStart } from '../support/registry.ts';
import { ZARF_LARGE_ENV, zarfFeatures } from './features/zarf.ts';

let ola: StartedRegistry | undefined;
let d2: StartedRegistry | undefined;
let d3: StartedRegistry | undefined;
let skip = '';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-zarf-'));
  const a = await tryStart(() => startProcess(olareg));
  const b = await tryStart(() => startProcess(distribution2));
  const c = await tryStart(() => startProcess(distribution3));
  ola = a.reg;
  d2 = b.reg;
  d3 = c.reg;
  skip = a.skip ?? b.skip ?? (zarfVectorsDir() ? '' : "Zarf's vectors are not in ../shared/zarf-vectors");
});
afterAll(async () => {
  await ola?.stop();
  await d2?.stop();
  await d3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const verdict = (id: string, host: string) => verdictOf(zarfFeatures, id, host, 'zarf');

describe('artifact.zarf-package', () => {
  it('passes on olareg, distribution 2.8 and 3.1.1', async (ctx) => {
    if (!ola || !d2 || !d3 || skip) return ctx.skip(skip);
    for (const reg of [ola, d2, d3]) {
      const v = await verdict('artifact.zarf-package', reg.host);
      expect(v.status, v.detail).toBe('pass');
      expect(v.detail).toContain('vector-many 32 layers');
    }
  });

  it.for(['gitlab', 'quay'])(
    'fails behind the %s profile, with the answer in the evidence',
    async (name, ctx) => {
      if (!ola || skip) return ctx.skip(skip);
      await using proxy = await startProxy(ola, profile(name).rules());
      const v = await verdict('artifact.zarf-package', proxy.host);
      expect(v.status).toBe('fail');
      expect(v.detail).toMatch(
        /^vector-small: the image manifest .* refused: 400 MANIFEST_INVALID: .*\(Zarf has no fallback\)$/,
      );
      expect(v.evidence).toMatch(/PUT \S+\/manifests\/sha256:99036b14\S* -> 400/);
      expect(v.evidence).toContain(`ocicat-proxy-rule: ${name}`);
    },
  );

  it("vector-large's shape: a 300 MiB layer in one monolithic PUT, on olareg", async (ctx) => {
    if (!ola || skip) return ctx.skip(skip);
    process.env[ZARF_LARGE_ENV] = '1';
    try {
      const v = await verdict('artifact.zarf-package.large', ola.host);
      expect(v.status, v.detail).toBe('pass');
      expect(v.detail).toMatch(/^vector-large 3 layers, 300\.0 MiB in one monolithic PUT$/);
    } finally {
      delete process.env[ZARF_LARGE_ENV];
    }
    // without the switch: a skip that says how
    expect((await verdict('artifact.zarf-package.large', ola.host)).status).toBe('skip');
  }, 120_000);
});

describe('the vectors', () => {
  it('missing: a skip saying where to put them', async (ctx) => {
    if (!ola) return ctx.skip(skip);
    const empty = await mkdtemp(join(dir, 'no-vectors-'));
    process.env.OCICAT_ZARF_VECTORS = empty;
    try {
      const v = await verdict('artifact.zarf-package', ola.host);
      expect(v).toMatchObject({
        status: 'skip',
        detail: expect.stringMatching(/put them in \.\.\/shared\/zarf-vectors/),
      });
    } finally {
      delete process.env.OCICAT_ZARF_VECTORS;
    }
  });

  it.for([
    ['a blob missing', 'rm', /blob sha256:2d885426\S* is in no vector's blobs\/sha256/],
    [
      'a blob whose bytes are not its digest',
      'corrupt',
      /vector-small\/blobs\/sha256\/2d885426\S*: its bytes have digest/,
    ],
  ] as Array<[string, string, RegExp]>)(
    'with %s: an error naming the file, never a verdict on the registry',
    async ([, how, detail], ctx) => {
      if (!ola || skip) return ctx.skip(skip);
      const copy = await mkdtemp(join(dir, 'vectors-'));
      await cp(zarfVectorsDir()!, copy, { recursive: true });
      await chmod(copy, 0o755);
      const file = join(
        copy,
        'vector-small',
        'blobs',
        'sha256',
        '2d885426eb81cbccd3193fad252fa2b9fdf631254b40cc29a016f2ea124467ea',
      );
      await chmod(join(file, '..'), 0o755);
      if (how === 'rm') await rm(file, { force: true });
      else {
        await chmod(file, 0o644);
        await writeFile(file, 'not the layer');
      }
      process.env.OCICAT_ZARF_VECTORS = copy;
      try {
        const v = await verdict('artifact.zarf-package', ola.host);
        expect(v.status).toBe('error');
        expect(v.detail).toMatch(detail);
      } finally {
        delete process.env.OCICAT_ZARF_VECTORS;
      }
    },
  );
});

describe('ocicat copy', () => {
  /** A vector as it is, pushed to `repo` (the copy's source). */
  async function publishSmall(
    reg: StartedRegistry,
    repo: string,
    name: ZarfVectorName = 'vector-small-multiarch',
  ) {
    const p = await loadZarfVector(name);
    const client = clientFor(reg);
    try {
      const { RemoteRepository } = await import('../../harness/remote/repository.ts');
      const r = new RemoteRepository(client, { registry: reg.host, repository: repo });
      for (const b of p.blobs) await r.pushBlob({ digest: b.digest, size: b.size }, b.source);
      for (const m of p.manifests)
        await r.putManifest(m.digest, m.bytes, 'application/vnd.oci.image.manifest.v1+json');
      await r.putManifest(p.tag, p.index, 'application/vnd.oci.image.index.v1+json');
    } finally {
      await client.close();
    }
    return p;
  }

  it('promotes a Zarf package to another registry and to another repository, digests unchanged', async (ctx) => {
    if (!ola || !d2 || skip) return ctx.skip(skip);
    const p = await publishSmall(ola, 'dev/pkg');
    const home = join(dir, 'h1');
    const cross = await ocicat(
      ['copy', `oci://${ola.host}/dev/pkg:0.1.0`, `oci://${d2.host}/prod/pkg`, '--plain-http', '--json'],
      { home },
    );
    expect(cross.code, cross.stderr).toBe(0);
    const r = JSON.parse(cross.stdout) as { digest: string; reference: string; copied: number };
    expect(r.digest).toBe(p.indexDigest);
    expect(r.reference).toBe(`oci://${d2.host}/prod/pkg:0.1.0`);
    expect(r.copied).toBe(1 + 2 + 6); // the index, two manifests, six blobs
    // crane-like check: the destination answers the same bytes
    const back = await fetch(`http://${d2.host}/v2/prod/pkg/manifests/0.1.0`, {
      headers: { accept: 'application/vnd.oci.image.index.v1+json' },
    });
    expect(Buffer.from(await back.arrayBuffer()).equals(p.index)).toBe(true);
    // within one registry: nothing is uploaded (mounted), the same digest
    const same = await ocicat(
      [
        'copy',
        `oci://${d2.host}/prod/pkg:0.1.0`,
        `oci://${d2.host}/stage/pkg:0.1.0`,
        '--plain-http',
        '--json',
      ],
      { home },
    );
    expect(same.code, same.stderr).toBe(0);
    expect((JSON.parse(same.stdout) as { digest: string }).digest).toBe(p.indexDigest);
  });

  it('vector-many between two registries: the index, the manifest and all 32 layers identical by digest', async (ctx) => {
    if (!ola || !d3 || skip) return ctx.skip(skip);
    const p = await publishSmall(ola, 'dev/many', 'vector-many');
    const c = await ocicat(
      ['copy', `oci://${ola.host}/dev/many:0.1.0`, `oci://${d3.host}/prod/many:0.1.0`, '--plain-http'],
      {
        home: join(dir, 'h-many'),
      },
    );
    expect(c.code, c.stderr).toBe(0);
    const host = d3.host;
    const get = async (path: string, accept?: string) =>
      Buffer.from(
        await (
          await fetch(`http://${host}/v2/prod/many/${path}`, accept ? { headers: { accept } } : {})
        ).arrayBuffer(),
      );
    expect((await get('manifests/0.1.0', 'application/vnd.oci.image.index.v1+json')).equals(p.index)).toBe(
      true,
    );
    const m = p.manifests[0]!;
    expect(
      (await get(`manifests/${m.digest}`, 'application/vnd.oci.image.manifest.v1+json')).equals(m.bytes),
    ).toBe(true);
    const layers = (JSON.parse(m.bytes.toString()) as { layers: Array<{ digest: string }> }).layers;
    expect(layers).toHaveLength(32);
    for (const l of layers)
      expect(
        `sha256:${createHash('sha256')
          .update(await get(`blobs/${l.digest}`))
          .digest('hex')}`,
      ).toBe(l.digest);
  });

  it('a source that is not there: one line naming the source, exit 1', async (ctx) => {
    if (!ola || !d2 || skip) return ctx.skip(skip);
    const r = await ocicat(
      ['copy', `oci://${ola.host}/nothing/here:1.0.0`, `oci://${d2.host}/x/y:1.0.0`, '--plain-http'],
      {
        home: join(dir, 'h2'),
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^error: source oci://${ola.host.replace(/\./g, '\\.')}/nothing/here: `),
    );
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
  });

  it('a source blob whose bytes are not its digest: the copy stops before the upload completes', async (ctx) => {
    if (!ola || !d2 || skip) return ctx.skip(skip);
    const p = await publishSmall(ola, 'dev/corrupt');
    const big = p.blobs.find((b) => b.size > 1_000_000)!;
    await using bad = await startProxy(ola, [
      {
        name: 'corrupts the big layer',
        method: 'GET',
        path: new RegExp(`/blobs/${big.digest}$`),
        action: { kind: 'corrupt-response', atByte: 4096 },
      },
    ]);
    const r = await ocicat(
      ['copy', `oci://${bad.host}/dev/corrupt:0.1.0`, `oci://${d2.host}/prod/corrupt:0.1.0`, '--plain-http'],
      {
        home: join(dir, 'h4'),
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: source \S+\/dev\/corrupt: .*digest/m);
    expect(
      (await fetch(`http://${d2.host}/v2/prod/corrupt/blobs/${big.digest}`, { method: 'HEAD' })).status,
    ).toBe(404);
    expect(
      (await fetch(`http://${d2.host}/v2/prod/corrupt/manifests/0.1.0`, { method: 'HEAD' })).status,
    ).toBe(404);
  });

  it('a destination that refuses a blob: one line naming the destination and the blob, nothing tagged', async (ctx) => {
    if (!ola || !d2 || skip) return ctx.skip(skip);
    const p = await publishSmall(ola, 'dev/refused');
    const big = p.blobs.find((b) => b.size > 1_000_000)!;
    await using proxy = await startProxy(d2, [
      {
        name: 'refuses the big layer',
        method: 'PUT',
        when: (req) => req.path.includes(encodeURIComponent(big.digest)) || req.path.includes(big.digest),
        reply: {
          status: 403,
          headers: { 'content-type': 'application/json' },
          body: '{"errors":[{"code":"DENIED","message":"quota exceeded"}]}',
        },
      },
    ]);
    const r = await ocicat(
      [
        'copy',
        `oci://${ola.host}/dev/refused:0.1.0`,
        `oci://${proxy.host}/prod/refused:0.1.0`,
        '--plain-http',
      ],
      {
        home: join(dir, 'h3'),
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: destination \S+\/prod\/refused: .*quota exceeded/m);
    const tag = await fetch(`http://${d2.host}/v2/prod/refused/manifests/0.1.0`, { method: 'HEAD' });
    expect(tag.status).toBe(404);
  });
});
