// TLS against a real distribution 2.8 serving a certificate from a CA made for
// this run: trusted with --ca-file, refused without it (with a hint), accepted
// with --insecure only when asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOcicatError } from '../../harness/errors.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
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

  it('names a CA file that holds no certificate', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    expect(() => clientFor(reg!, { caFile: '/etc/hostname' })).toThrow(/holds no PEM certificate/);
  });
});
