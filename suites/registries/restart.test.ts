// The registry killed (SIGKILL) and restarted in the middle of a push: the
// upload either completes with the right digest or fails clearly; no partial
// blob is visible; a later retry succeeds. Then the same for a catalog push.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDigest, generatedSource } from '../../fixtures/generated-source.ts';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import { createContext } from '../../harness/ops/context.ts';
import { packageCatalog } from '../../harness/ops/package.ts';
import { pullCatalog } from '../../harness/ops/pull.ts';
import { pushCatalog } from '../../harness/ops/push.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { clientFor } from '../support/registry.ts';
import { useRegistry } from '../support/use-registry.ts';

const used = useRegistry('restart');

describe('registry killed and restarted mid-push', () => {
  it('a blob upload recovers and stores the right digest', async (ctx) => {
    const { reg } = used;
    if (!reg) return ctx.skip(used.skip);
    const size = 256 * 1024 * 1024;
    const digest = await generatedDigest('restart', size);
    const client = clientFor(reg, { retry: { maxRetries: 8, baseDelayMs: 100, maxDelayMs: 1000 } });
    const repo = new RemoteRepository(client, { registry: reg.host, repository: 'restart/blob' });
    let restarted: Promise<void> | undefined;
    await repo.pushBlob({ digest, size }, generatedSource('restart', size), {
      onProgress: (n) => {
        if (!restarted && n > size * 0.3) restarted = reg!.restart!(300);
      },
    });
    await restarted;
    expect(restarted).toBeDefined();
    expect(await repo.headBlob(digest)).toEqual({ size, digest });
    await client.close();
  }, 120_000);

  it('a catalog push either completes or fails clearly, and a retry completes', async (ctx) => {
    const { reg, dir } = used;
    if (!reg) return ctx.skip(used.skip);
    await writeSampleCatalog(join(dir, 'src'), 'rs');
    const { writeFile } = await import('node:fs/promises');
    const { randomBytes } = await import('node:crypto');
    await writeFile(join(dir, 'src', 'data', 'big.bin'), randomBytes(64 * 1024 * 1024));
    const home = await createContext({ home: join(dir, 'home'), plainHttp: true });
    const pkg = await packageCatalog(home, join(dir, 'src'), `oci://${reg.host}/restart/`);
    let restarted: Promise<void> | undefined;
    const ctxWithKill = {
      ...home,
      progress: (_d: string, n: number, total: number) => {
        if (!restarted && total > 1024 * 1024 && n > total / 2) restarted = reg!.restart!(200);
      },
    };
    const first = await pushCatalog(ctxWithKill, pkg.reference).then(
      (r) => ({ ok: true as const, r }),
      (e: Error) => ({ ok: false as const, e }),
    );
    await restarted;
    expect(restarted).toBeDefined(); // the registry really went down mid-push
    if (!first.ok) expect(first.e.message).toMatch(/ECONN|socket|closed|5\d\d|UPLOAD_FAILED|terminated/i);
    const again = await pushCatalog(home, pkg.reference);
    expect(again.digest).toBe(pkg.digest);
    const fresh = await createContext({ home: join(dir, 'fresh'), plainHttp: true });
    expect((await pullCatalog(fresh, pkg.reference)).digest).toBe(pkg.digest);
    await home.client.close();
    await fresh.client.close();
    expect(JSON.parse(await readFile(join(dir, 'fresh', 'cache', 'refs.json'), 'utf8')).refs).toHaveLength(1);
  }, 120_000);
});
