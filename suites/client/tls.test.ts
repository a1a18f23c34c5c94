// TLS against a real distribution 2.8 serving a certificate from a CA made for
// this run: trusted with --ca-file, refused without it (with a hint), accepted
// with --insecure only when asked; blob downloads (socket-get.ts, and a download
// worker) trust the same CA file.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOcicatError } from '../../harness/errors.ts';
import { digestOf } from '../../harness/oci/digest.ts';
import { bufferSource } from '../../harness/remote/blob-source.ts';
import { OFFLOAD_MIN_BYTES, RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { clientFor, tryStart } from '../support/registry.ts';

describe('TLS (distribution 2.8 with a generated CA)', () => {
  let reg: StartedRegistry | undefined;
  let skip: string | undefined;
  beforeAll(async () => {
    ({ reg, skip } = await tryStart(() => startDistribution2({ tls: true })));
  });
  afterAll(async () => {
    await reg?.stop();
  });

  const tags = async (options: ConstructorParameters<typeof RegistryClient>[0]) => {
    // built by hand: clientFor would hand it the registry's CA
    const client = new RegistryClient({ retry: { maxRetries: 0 }, ...options });
    try {
      return await new RemoteRepository(client, { registry: reg!.host, repository: 'none' })
        .listTags()
        .catch((e) => e);
    } finally {
      await client.close();
    }
  };

  it('trusts the registry with the CA file', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    expect(reg.url()).toMatch(/^https:/);
    const res = await tags({ caFile: reg.caFile! });
    expect(isOcicatError(res, 'NOT_FOUND')).toBe(true); // reached the registry over TLS: the repo is unknown
  });

  it('refuses an unknown CA with a hint, and does not fall back to HTTP', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const err = await tags({});
    expect(isOcicatError(err, 'TLS')).toBe(true);
    expect(err.hint).toMatch(/--ca-file/);
  });

  it('skips verification only when asked', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    expect(isOcicatError(await tags({ insecure: true }), 'NOT_FOUND')).toBe(true);
  });

  it('downloads blobs over TLS on plain sockets, in this thread and in a worker', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const log: string[] = [];
    const client = new RegistryClient({ caFile: reg.caFile!, blobWorkers: 1, log: (l) => log.push(l) });
    const dir = await mkdtemp(join(tmpdir(), 'ocicat-tls-blobs-'));
    try {
      const repo = new RemoteRepository(client, { registry: reg.host, repository: 'tls/blobs' });
      // two blobs large enough for a worker (OFFLOAD_MIN_BYTES), read at once
      const blobs = [0, 1].map(() => randomBytes(OFFLOAD_MIN_BYTES + 4096));
      const descs = blobs.map((b) => ({ digest: digestOf(b), size: b.length }));
      for (const [k, d] of descs.entries()) await repo.pushBlob(d, bufferSource(blobs[k]!));
      await Promise.all(descs.map((d, k) => repo.downloadBlob(d, join(dir, `b${k}`))));
      for (const [k, b] of blobs.entries()) expect((await readFile(join(dir, `b${k}`))).equals(b)).toBe(true);
      expect(log.filter((l) => l.endsWith('-> done (worker)'))).toHaveLength(1);
    } finally {
      await client.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names a CA file that holds no certificate', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    expect(() => clientFor(reg!, { caFile: '/etc/hostname' })).toThrow(/holds no PEM certificate/);
  });
});
