// Properties against a real registry:
// - chunked upload: for generated sizes and chunk sizes, the digest the registry
//   stores equals the local one;
// - streaming: for sizes around chunk and buffer boundaries (0, 1, m-1, m, m+1,
//   k*m±1, up to OCICAT_FC_MAX_BYTES), push then pull round-trips byte for byte.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcParams, maxStreamBytes } from '../../fixtures/fc.ts';
import { generatedDigest, generatedSource } from '../../fixtures/generated-source.ts';
import { uploadChunked } from '../../harness/remote/blob-upload.ts';
import type { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { distribution3 } from '../../registries/definitions/distribution3.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { RegistryUnavailable, type StartedRegistry } from '../../registries/types.ts';
import { clientFor } from '../support/registry.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
let reg: StartedRegistry | undefined;
let client: RegistryClient;
let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-stream-prop-'));
  reg = await startProcess(distribution3).catch(async (e) => {
    if (e instanceof RegistryUnavailable) return startProcess(distribution2).catch(() => undefined);
    throw e;
  });
  if (reg) client = clientFor(reg);
});
afterAll(async () => {
  await client?.close();
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Sizes at the boundaries that matter: undici chunks (64 KiB), read streams (1 MiB), the chunk size, the write buffer (8 MiB). */
function boundarySize(max: number) {
  const ms = [64 * KiB, MiB, 8 * MiB];
  return fc.oneof(
    fc.constantFrom(0, 1),
    fc
      .tuple(fc.constantFrom(...ms), fc.integer({ min: 1, max: 4 }), fc.integer({ min: -1, max: 1 }))
      .map(([m, k, d]) => Math.max(0, Math.min(max, m * k + d))),
    fc.integer({ min: 0, max: max }),
  );
}

describe('streaming (properties, real registry)', () => {
  it('chunked upload: the registry stores the local digest', async (ctx) => {
    if (!reg) return ctx.skip('no local registry');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 * MiB }),
        fc.integer({ min: 1, max: 2 * MiB }),
        async (size, chunk) => {
          const seed = `chunked-${n++}`;
          const digest = await generatedDigest(seed, size);
          const repo = new RemoteRepository(client, { registry: reg!.host, repository: 'props/chunked' });
          await uploadChunked(repo, { digest, size }, generatedSource(seed, size), {
            chunkSize: Math.max(chunk, 256 * KiB),
          });
          expect(await repo.headBlob(digest)).toEqual({ size, digest });
        },
      ),
      fcParams(15, {
        examples: [
          [5 * MiB, 256 * KiB],
          [5 * MiB - 1, 2 * MiB],
          [1, 1],
        ],
      }),
    );
  }, 300_000);

  it('push then pull round-trips byte for byte at boundary sizes', async (ctx) => {
    if (!reg) return ctx.skip('no local registry');
    const max = maxStreamBytes();
    let largest = 0;
    await fc.assert(
      fc.asyncProperty(
        boundarySize(max),
        fc.constantFrom('monolithic', 'chunked') as fc.Arbitrary<'monolithic' | 'chunked'>,
        async (size, strategy) => {
          const seed = `stream-${n++}`;
          const digest = await generatedDigest(seed, size);
          const repo = new RemoteRepository(client, { registry: reg!.host, repository: 'props/stream' });
          await repo.pushBlob({ digest, size }, generatedSource(seed, size), { strategy, chunkSize: MiB });
          const out = join(dir, seed);
          await repo.downloadBlob({ digest, size }, out); // verified against the digest as it is written
          expect((await stat(out)).size).toBe(size);
          await rm(out);
          largest = Math.max(largest, size);
        },
      ),
      // the generator's bias favours small sizes: name the large ones outright
      fcParams(20, {
        examples: [
          [max, 'chunked'],
          [8 * MiB + 1, 'monolithic'],
          [0, 'chunked'],
        ],
      }),
    );
    process.stdout.write(`streaming property: largest size tried ${largest} bytes (max ${max})\n`);
    expect(largest).toBe(max);
  }, 600_000);
});
