// Large layers through a real registry, streamed from the generator (no file on
// the push side): push, then pull to a file verified as it is written; progress
// events are monotonic and end at the size. CI runs 1 GiB; the nightly sets
// OCICAT_LARGE_GIB=1,4,16. Memory is measured by `npm run bench:large`, not here.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDigest, generatedSource } from '../../fixtures/generated-source.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { useRegistry } from '../support/use-registry.ts';

const GiB = 1024 ** 3;
const sizes = (process.env.OCICAT_LARGE_GIB ?? '1').split(',').map(Number);
const used = useRegistry('large');

function monotonic(events: number[], size: number): void {
  expect(events.length).toBeGreaterThan(10);
  for (let i = 1; i < events.length; i++) expect(events[i]!).toBeGreaterThanOrEqual(events[i - 1]!);
  expect(events.at(-1)).toBe(size);
}

describe('large layers', () => {
  it.for(sizes)(
    '%s GiB: push streamed, pull verified, progress monotonic to the end',
    { timeout: 900_000 },
    async (gib, ctx) => {
      const { reg, client, dir } = used;
      if (!reg) return ctx.skip(used.skip);
      const size = gib * GiB;
      const seed = `large-${gib}`;
      const digest = await generatedDigest(seed, size);
      const repo = new RemoteRepository(client, { registry: reg.host, repository: 'large/layer' });
      const up: number[] = [];
      await repo.pushBlob({ digest, size }, generatedSource(seed, size), { onProgress: (n) => up.push(n) });
      monotonic(up, size);
      const down: number[] = [];
      const out = join(dir, `blob-${gib}`);
      await repo.downloadBlob({ digest, size }, out, { onProgress: (n) => down.push(n) });
      monotonic(down, size);
      expect((await stat(out)).size).toBe(size);
      await rm(out);
    },
  );
});
