// Property: for generated combinations of registry refusals put into the proxy
// (artifactType rejected, empty config rejected, referrers API missing, chunked
// uploads refused, mount refused, PATCH size capped, large monolithic PUTs
// refused), a catalog push either succeeds through a documented fallback and a
// pull returns identical content, or fails with a clear error naming the
// refusal; never a half-pushed tag.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcParams } from '../../fixtures/fc.ts';
import { snapshot, writeSampleCatalog } from '../../fixtures/tree.ts';
import { createContext } from '../../harness/ops/context.ts';
import { unpackageCatalog } from '../../harness/ops/local.ts';
import { packageCatalog } from '../../harness/ops/package.ts';
import { pullCatalog } from '../../harness/ops/pull.ts';
import { pushCatalog } from '../../harness/ops/push.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { EMPTY_CONFIG_DIGEST, REFERRERS_PATH } from '../../registries/proxy/profiles/common.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import { ociError, type Rule } from '../../registries/proxy/rule.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { clientFor, tryStart } from '../support/registry.ts';

const MiB = 1024 * 1024;
let reg: StartedRegistry | undefined;
let skip: string | undefined;
let dir: string;
let src: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-fallback-prop-'));
  ({ reg, skip } = await tryStart(() => startDistribution2()));
  src = join(dir, 'src');
  await writeSampleCatalog(src, 'fb');
  await writeFile(join(src, 'data', 'big.bin'), randomBytes(3 * MiB)); // a layer of ~3 MiB: over the caps below
});
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Refusals {
  artifactType: boolean;
  emptyConfig: boolean;
  noReferrers: boolean;
  noChunked: boolean;
  noMount: boolean;
  patchCap: boolean;
  monolithicCap: boolean;
}

function rules(r: Refusals): Rule[] {
  const out: Rule[] = [];
  if (r.artifactType)
    out.push({
      name: 'artifactType',
      method: 'PUT',
      path: /\/manifests\//,
      body: (b) => b.includes('"artifactType"'),
      reply: ociError(400, 'UNSUPPORTED', 'artifactType unsupported'),
    });
  if (r.emptyConfig)
    out.push({
      name: 'empty config',
      method: 'PUT',
      path: new RegExp(`digest=sha256(%3A|:)${EMPTY_CONFIG_DIGEST.slice(7)}`),
      reply: ociError(400, 'BLOB_UPLOAD_INVALID', 'config blob rejected'),
    });
  if (r.noReferrers)
    out.push({
      name: 'no referrers',
      method: 'GET',
      path: REFERRERS_PATH,
      reply: { status: 404, body: '404 page not found' },
    });
  if (r.noChunked)
    out.push({
      name: 'no chunked',
      method: 'PATCH',
      reply: ociError(405, 'UNSUPPORTED', 'chunked uploads are not supported'),
    });
  if (r.noMount)
    out.push({
      name: 'no mount',
      method: 'POST',
      when: (q) => q.path.includes('mount='),
      reply: ociError(401, 'UNAUTHORIZED', 'mount refused'),
    });
  if (r.patchCap)
    out.push({
      name: 'patch cap',
      method: 'PATCH',
      when: (q) => Number(q.headers['content-length'] ?? 0) > MiB,
      reply: ociError(416, 'BLOB_UPLOAD_INVALID', 'chunk too large'),
    });
  if (r.monolithicCap)
    out.push({
      name: 'monolithic cap',
      method: 'PUT',
      path: /\/blobs\/uploads\/.*digest=/,
      when: (q) => Number(q.headers['content-length'] ?? 0) > MiB,
      reply: ociError(413, 'SIZE_INVALID', 'too large'),
    });
  return out;
}

describe('artifact fallback (property, real registry behind the proxy)', () => {
  it('succeeds through a fallback with identical content, or fails naming the refusal, never half-pushed', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    let i = 0;
    const seen = { ok: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          artifactType: fc.boolean(),
          emptyConfig: fc.boolean(),
          noReferrers: fc.boolean(),
          noChunked: fc.boolean(),
          noMount: fc.boolean(),
          patchCap: fc.boolean(),
          monolithicCap: fc.boolean(),
        }),
        async (r) => {
          const run = i++;
          await using proxy = await startProxy(reg!, rules(r));
          const home = await createContext({ home: join(dir, `home-${run}`), plainHttp: true });
          const pkg = await packageCatalog(home, src, `oci://${proxy.host}/prop${run}/`);
          let pushed: Awaited<ReturnType<typeof pushCatalog>> | undefined;
          let error: Error | undefined;
          try {
            pushed = await pushCatalog(home, pkg.reference);
          } catch (e) {
            error = e as Error;
          }
          await home.client.close();
          const uploadsImpossible = r.monolithicCap && r.noChunked;
          if (error) {
            seen.failed++;
            expect(uploadsImpossible, `push failed though a path was open: ${error.message}`).toBe(true);
            expect(error.message).toMatch(/\b(405|413|416)\b/); // names the refusal
            // never a half-pushed tag: the tag is not there
            const direct = clientFor(reg!);
            expect(
              await new RemoteRepository(direct, {
                registry: reg!.host,
                repository: `prop${run}/fb`,
              }).headManifest('1.0.0'),
            ).toBeUndefined();
            await direct.close();
            return;
          }
          seen.ok++;
          expect(uploadsImpossible).toBe(false);
          expect(pushed!.form).toBe(r.artifactType || r.emptyConfig ? 'fallback' : 'kubara');
          const fresh = await createContext({ home: join(dir, `fresh-${run}`), plainHttp: true });
          const pulled = await pullCatalog(fresh, pkg.reference);
          expect(pulled.digest).toBe(pushed!.digest);
          await unpackageCatalog(fresh, pkg.reference, join(dir, `out-${run}`));
          await fresh.client.close();
          expect(await snapshot(join(dir, `out-${run}`))).toEqual(await snapshot(src));
        },
      ),
      fcParams(12, {
        examples: [
          [
            {
              artifactType: true,
              emptyConfig: true,
              noReferrers: true,
              noChunked: true,
              noMount: true,
              patchCap: true,
              monolithicCap: true,
            },
          ],
          [
            {
              artifactType: true,
              emptyConfig: false,
              noReferrers: true,
              noChunked: false,
              noMount: true,
              patchCap: true,
              monolithicCap: true,
            },
          ],
        ],
      }),
    );
    process.stdout.write(`fallback property: ${seen.ok} pushed, ${seen.failed} refused with a clear error\n`);
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.failed).toBeGreaterThan(0);
  }, 600_000);
});
