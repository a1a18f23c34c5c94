// Each rule of "Reference client behaviour" shows its error, and bad input from a
// registry (hostile layers, lying descriptors, outages, Ctrl-C) gives one clear
// line, a non-zero exit, and a cache that is unchanged.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIL_CASES, tarDigestOf } from '../../fixtures/evil-tar.ts';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import { buildArtifact, layerDescriptor } from '../../harness/catalog/artifact.ts';
import { digestOf } from '../../harness/oci/digest.ts';
import { OCI_MANIFEST } from '../../harness/oci/media-types.ts';
import type { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { ocicat } from '../support/cli.ts';
import { pushRawCatalog } from '../support/raw-catalog.ts';
import { clientFor, tryStart } from '../support/registry.ts';

let reg: StartedRegistry | undefined;
let skip: string | undefined;
let client: RegistryClient;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-rules-'));
  ({ reg, skip } = await tryStart(() => startDistribution2()));
  if (reg) client = clientFor(reg);
});
afterAll(async () => {
  await client?.close();
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

const home = (n: string) => join(dir, `home-${n}`);

/** Two lines at most (error + hint), the first starting with "error: ", no stack trace. */
function oneClearLine(stderr: string): void {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('warning:'));
  expect(lines[0]).toMatch(/^error: /);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1]) expect(lines[1]).toMatch(/^hint: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

async function packaged(name: string, h: string): Promise<{ reference: string; digest: string }> {
  await writeSampleCatalog(join(dir, `src-${name}`), name);
  const r = await ocicat(
    ['catalog', 'package', `oci://${reg!.host}/rules/`, '--work-dir', join(dir, `src-${name}`), '--json'],
    { home: h },
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('reference client rules', () => {
  it('refuses to push to a digest', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const h = home('digest');
    const p = await packaged('r1', h);
    const r = await ocicat(['catalog', 'push', `oci://${reg.host}/rules/r1@${p.digest}`, '--plain-http'], {
      home: h,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a digest; push to a tag/);
    oneClearLine(r.stderr);
  });

  it('refuses a tag other than the catalog version', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const h = home('tag');
    const p = await packaged('r2', h);
    const r = await ocicat(
      ['catalog', 'push', `oci://${reg.host}/rules/r2:2.0.0`, '--from', p.reference, '--plain-http'],
      { home: h },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tag 2.0.0 does not match the catalog version 1.0.0/);
    oneClearLine(r.stderr);
    const direct = await ocicat(['catalog', 'push', `oci://${reg.host}/rules/r2:2.0.0`, '--plain-http'], {
      home: h,
    });
    expect(direct.code).toBe(2);
    // the tag is named as the problem first (issue 15), with the cached version to use
    expect(direct.stderr).toMatch(/tag 2.0.0 is not a cached version of this catalog \(cached: 1.0.0\)/);
  });

  it('refuses to push what is not cached (push never packages)', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const r = await ocicat(['catalog', 'push', `oci://${reg.host}/rules/nothing:1.0.0`, '--plain-http'], {
      home: home('empty'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not in the cache/);
    expect(r.stderr).toMatch(/hint: package it first/);
  });

  it('refuses to unpackage into an existing directory and leaves it untouched', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const h = home('unpack');
    const p = await packaged('r3', h);
    const target = join(dir, 'existing');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'mine');
    const r = await ocicat(['catalog', 'unpackage', p.reference, target], { home: h });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists/);
    expect(await readdir(target)).toEqual(['keep.txt']);
  });

  const catalogYaml = (name: string, version: string, extra = '') =>
    `apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: ${name}\n${extra}spec:\n  version: ${version}\n`;

  it.each([
    [
      'apiVersion',
      catalogYaml('x', '1.0.0').replace('kubara.io/v1alpha1', 'v1'),
      /apiVersion must be kubara.io\/v1alpha1/,
    ],
    ['kind', catalogYaml('x', '1.0.0').replace('kind: Catalog', 'kind: Chart'), /kind must be Catalog/],
    [
      'metadata.name (case)',
      catalogYaml('MyCatalog', '1.0.0'),
      /metadata.name "MyCatalog" is not an RFC 1123 label/,
    ],
    [
      'metadata.name (missing)',
      catalogYaml('x', '1.0.0').replace('  name: x\n', '  labels: {}\n'),
      /metadata.name is required/,
    ],
    [
      'metadata.annotations',
      catalogYaml('x', '1.0.0', '  annotations:\n    a: 1\n'),
      /annotations\["a"\] must be a string/,
    ],
    ['spec', 'apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: x\n', /spec is required/],
    [
      'spec.version (missing)',
      catalogYaml('x', '1.0.0').replace('  version: 1.0.0\n', '  services: []\n'),
      /spec.version null is required/,
    ],
    ['version: v prefix', catalogYaml('x', 'v1.0.0'), /"v" prefix/],
    ['version: pre-release', catalogYaml('x', '1.0.0-rc.1'), /pre-release/],
    ['version: build metadata', catalogYaml('x', '1.0.0+build.1'), /build metadata/],
    ['version: leading zero', catalogYaml('x', '1.02.0'), /leading zero/],
    ['version: missing part', catalogYaml('x', '"1.0"'), /2 parts/],
    ['version: extra part', catalogYaml('x', '1.0.0.1'), /4 parts/],
    ['no Catalog.yaml', undefined, /no Catalog.yaml/],
  ])('package refuses an invalid %s with exit 2', async (what, yaml, message) => {
    const work = join(dir, `bad-${what.replace(/\W+/g, '-')}`);
    await mkdir(work, { recursive: true });
    if (yaml !== undefined) await writeFile(join(work, 'Catalog.yaml'), yaml);
    const h = home(`bad-${what.replace(/\W+/g, '-')}`);
    const r = await ocicat(['catalog', 'package', 'oci://localhost:5000/x/', '--work-dir', work], {
      home: h,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    oneClearLine(r.stderr);
    expect((await ocicat(['catalog', 'list', '--json'], { home: h })).stdout.trim()).toBe('[]');
  });

  it('refuses a pulled tag whose catalog has another version', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const h = home('pull-tag');
    const p = await packaged('r4', h);
    await ocicat(['catalog', 'push', p.reference, '--plain-http'], { home: h });
    const repo = new RemoteRepository(client, { registry: reg.host, repository: 'rules/r4' });
    const m = await repo.getManifest('1.0.0');
    await repo.putManifest('9.9.9', m.bytes, OCI_MANIFEST);
    const r = await ocicat(['catalog', 'pull', `oci://${reg.host}/rules/r4:9.9.9`, '--plain-http'], {
      home: home('pull-tag-2'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds catalog version 1.0.0/);
  });
});

describe('bad input from the registry', () => {
  const pushRaw = (name: string, layer: Buffer, sizeClaim?: number) =>
    pushRawCatalog(client, reg!.host, name, layer, sizeClaim === undefined ? {} : { sizeClaim });

  it.for(EVIL_CASES.filter((c) => c.what !== 'garbage instead of gzip'))(
    'a pulled layer with $what is refused; the cache keeps nothing',
    async ({ what, layer, message }, ctx) => {
      if (!reg) return ctx.skip(skip ?? 'no registry');
      const name = `e${what.replace(/\W+/g, '').slice(0, 20).toLowerCase()}`;
      const ref = await pushRaw(name, layer(name));
      const h = home(`evil-${name}`);
      const r = await ocicat(['catalog', 'pull', ref, '--plain-http'], { home: h });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/refused archive/);
      expect(r.stderr).toMatch(message);
      oneClearLine(r.stderr);
      expect((await ocicat(['catalog', 'list', '--json'], { home: h })).stdout.trim()).toBe('[]');
      const blobs = await readdir(
        join(h, 'cache/layouts', reg.host.replace(/:/g, '_'), 'evil', name, 'blobs/sha256'),
      );
      expect(blobs).toEqual(['44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a']); // the empty config only
    },
  );

  it('a layer larger than its descriptor says is refused', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    await writeSampleCatalog(join(dir, 'big'), 'big');
    const p = await packaged('big', home('big-src'));
    const blobDir = join(
      home('big-src'),
      'cache/layouts',
      reg.host.replace(/:/g, '_'),
      'rules/big/blobs/sha256',
    );
    const files = await readdir(blobDir);
    const layer = (await Promise.all(files.map(async (f) => readFile(join(blobDir, f))))).sort(
      (x, y) => y.length - x.length,
    )[0]!;
    const ref = await pushRaw('big', layer, layer.length - 100);
    const h = home('big-pull');
    const r = await ocicat(['catalog', 'pull', ref, '--plain-http'], { home: h });
    expect(p.reference).toBeTruthy();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/larger than the \d+ bytes its descriptor says/);
    expect((await ocicat(['catalog', 'list', '--json'], { home: h })).stdout.trim()).toBe('[]');
  });

  it('an unreachable registry gives one line and exit 1, and the cache is unchanged', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const h = home('unreachable');
    const p = await packaged('r5', h);
    const before = await readFile(join(h, 'cache/refs.json'), 'utf8');
    const r = await ocicat(
      ['catalog', 'push', `oci://127.0.0.1:9/rules/r5:1.0.0`, '--from', p.reference, '--plain-http'],
      { home: h },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    oneClearLine(r.stderr);
    expect(await readFile(join(h, 'cache/refs.json'), 'utf8')).toBe(before);
  });
});

describe('outages and interruptions (HTTP test double)', () => {
  let server: Server;
  let host: string;
  let mode: '503' | 'slow' = '503';
  const layer = Buffer.alloc(4 * 1024 * 1024, 7);
  const built = buildArtifact(
    { name: 'slow', version: '1.0.0' },
    layerDescriptor('slow', digestOf(layer), layer.length, tarDigestOf(layer)),
    'kubara',
  );

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (mode === '503') {
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}');
        return;
      }
      if (req.url?.includes('/manifests/')) {
        res.writeHead(200, {
          'content-type': OCI_MANIFEST,
          'docker-content-digest': built.descriptor.digest,
          'content-length': built.manifest.length,
        });
        res.end(req.method === 'HEAD' ? undefined : built.manifest);
      } else if (req.url?.endsWith(built.config.descriptor.digest)) {
        res.writeHead(200, { 'content-length': 2 });
        res.end('{}');
      } else {
        // the layer, trickled: 64 KiB every 50 ms
        res.writeHead(200, { 'content-length': layer.length });
        let off = 0;
        const t = setInterval(() => {
          if (off >= layer.length || res.destroyed) return clearInterval(t);
          res.write(layer.subarray(off, off + 65536));
          off += 65536;
        }, 50);
        res.on('close', () => clearInterval(t));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a registry answering 503 again and again: one line, exit 1, after retries', async () => {
    mode = '503';
    const h = home('503');
    const r = await ocicat(['catalog', 'pull', `oci://${host}/x/y:1.0.0`, '--plain-http'], { home: h });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/503 UNAVAILABLE: maintenance/);
    oneClearLine(r.stderr);
  });

  it('Ctrl-C during a pull leaves no partial file and no reference in the cache', async () => {
    mode = 'slow';
    const h = home('ctrlc');
    const { join: j } = await import('node:path');
    const child = spawn(
      process.execPath,
      [
        j(import.meta.dirname, '../../bin/ocicat.js'),
        'catalog',
        'pull',
        `oci://${host}/x/slow:1.0.0`,
        '--plain-http',
      ],
      {
        env: { ...process.env, OCICAT_HOME: h },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const layoutBlobs = j(h, 'cache/layouts', host.replace(/:/g, '_'), 'x/slow/blobs/sha256');
    // wait until the layer download has started (a .part file exists), then interrupt
    for (let i = 0; i < 200; i++) {
      const names = await readdir(layoutBlobs).catch(() => [] as string[]);
      if (names.some((n) => n.endsWith('.part'))) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await readdir(layoutBlobs)).some((n) => n.endsWith('.part'))).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    expect(
      (await readdir(layoutBlobs, { withFileTypes: false })).filter((n) => n.endsWith('.part')),
      JSON.stringify(await readdir(layoutBlobs)),
    ).toEqual([]);
    expect((await readdir(layoutBlobs)).includes(digestOf(layer).slice(7))).toBe(false);
    await expect(readFile(j(h, 'cache/refs.json'), 'utf8')).rejects.toThrow();
  });
});
