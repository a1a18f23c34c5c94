// Fault scenarios, as rows of the conformance report: a fault proxy goes in front
// of the registry under test and a catalog push or pull runs through it. Each
// scenario passes when its invariants hold: the operation completes with the
// right digest, or fails with a clear error leaving neither the cache nor the
// remote with a partial or corrupt artifact; and a retry without the fault
// succeeds.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshot, writeSampleCatalog } from '../../../fixtures/tree.ts';
import { createContext, type OpsContext } from '../../../harness/ops/context.ts';
import { listCatalogs, unpackageCatalog } from '../../../harness/ops/local.ts';
import { packageCatalog } from '../../../harness/ops/package.ts';
import { pullCatalog } from '../../../harness/ops/pull.ts';
import { pushCatalog } from '../../../harness/ops/push.ts';
import { artifactRefusal } from '../../../harness/ops/refusal.ts';
import { credentialsFile } from '../../../harness/remote/auth/default-store.ts';
import { startProxy } from '../../../registries/proxy/proxy.ts';
import { ociError, type Rule } from '../../../registries/proxy/rule.ts';
import { expectThat, type Feature, type FeatureContext, type Outcome, pass, skip } from '../feature.ts';

const BLOB = /\/blobs\/sha256:/;
const UPLOAD_PUT = /\/blobs\/uploads\//;
const FAULT_BACKOFF = { baseDelayMs: 20, maxDelayMs: 200 };

async function home(ctx: FeatureContext, label: string, hosts: string[]): Promise<OpsContext> {
  const dir = await mkdtemp(join(ctx.tmp, `fault-${label}-`));
  for (const h of hosts) if (ctx.target.credential) await credentialsFile(dir).put(h, ctx.target.credential);
  // The scenarios check what a fault leaves behind, not how long the client waits:
  // a short backoff (retry.test.ts checks the default's); Retry-After is still honoured.
  return createContext({
    home: dir,
    plainHttp: true,
    log: ctx.log,
    retry: process.env.NOFB ? {} : FAULT_BACKOFF,
  });
}

async function source(ctx: FeatureContext): Promise<string> {
  const dir = await mkdtemp(join(ctx.tmp, 'fault-src-'));
  await writeSampleCatalog(dir, 'faulty');
  await writeFile(join(dir, 'data', 'big.bin'), randomBytes(2 * 1024 * 1024)); // a layer of some MiB (over the upload-reset rule's 1 MiB), so cuts land mid-body
  return dir;
}

async function partials(h: OpsContext): Promise<string[]> {
  const files = await readdir(h.home, { recursive: true }).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.part') || f.endsWith('.lock') || f.endsWith('.tmp'));
}

/** Run a scenario unless it cannot run here: TLS upstream, or a registry that takes no catalog at all. */
async function unlessNoCatalogs(ctx: FeatureContext, body: () => Promise<Outcome>): Promise<Outcome> {
  if (!ctx.target.plainHttp) return skip('the fault proxy speaks plain HTTP to the registry');
  try {
    return await body();
  } catch (e) {
    if (artifactRefusal(e)) return skip('no catalog can be pushed to this registry (see catalog.push)');
    throw e;
  }
}

/** Push through the fault; check the invariants; retry straight to the registry. */
function pushScenario(id: string, title: string, rules: () => Rule[]): Feature {
  return {
    id,
    title,
    area: 'faults',
    optional: false,
    run: (ctx) =>
      unlessNoCatalogs(ctx, async () => {
        await using proxy = await startProxy({ host: ctx.target.host }, rules());
        const repo = ctx.fresh('fault');
        const h = await home(ctx, 'push', [proxy.host, ctx.target.host]);
        const pkg = await packageCatalog(h, await source(ctx), `oci://${proxy.host}/${repo}/`);
        const outcome = await pushCatalog(h, pkg.reference).then(
          (r) => ({ ok: true as const, r }),
          (e: Error) => ({ ok: false as const, e }),
        );
        const faulted = proxy.hits.length > 0;
        if (outcome.ok)
          expectThat(
            outcome.r.digest === pkg.digest || outcome.r.form === 'fallback',
            'pushed another digest than was packaged',
          );
        else
          expectThat(
            !!outcome.e.message && !outcome.e.message.includes('\n'),
            'the failure is not one clear line',
          );
        // no half-pushed tag: if the push failed, the tag must not point anywhere
        const remote = await ctx.repo(`${repo}/faulty`).headManifest('1.0.0');
        if (!outcome.ok) expectThat(remote === undefined, 'a failed push left the tag in place');
        expectThat((await partials(h)).length === 0, 'temp or lock files left in the cache');
        // a retry without the fault succeeds
        const retry = await pushCatalog(h, pkg.reference.replace(proxy.host, ctx.target.host), pkg.reference);
        expectThat(
          retry.digest === (outcome.ok ? outcome.r.digest : retry.digest),
          'the retry pushed another digest',
        );
        await h.client.close();
        return pass(
          `${faulted ? `${proxy.hits.length} fault(s) injected; ` : 'no fault triggered; '}${outcome.ok ? 'push completed' : `push failed cleanly (${outcome.e.message.slice(0, 80)})`}; retry ok`,
        );
      }),
  };
}

interface Published {
  pkg: { reference: string; digest: string };
  pushed: { digest: string };
  /** The source tree's snapshot, to compare what a pull unpacks with. */
  tree: string;
}
const publishedOn = new Map<string, Promise<Published>>();

/**
 * The catalog the pull scenarios read, published straight to the registry once per
 * registry of the run: they only read it, each through a proxy of its own into a
 * home of its own, so one copy serves them all (six packages and pushes fewer).
 * Its folders live in the first scenario's scratch; what is kept is in memory.
 */
function published(ctx: FeatureContext): Promise<Published> {
  const key = `${ctx.target.id} ${ctx.target.host}`;
  let p = publishedOn.get(key);
  if (!p) {
    p = (async () => {
      const src = await source(ctx);
      const pub = await home(ctx, 'pub', [ctx.target.host]);
      const pkg = await packageCatalog(pub, src, `oci://${ctx.target.host}/${ctx.fresh('fault')}/`);
      const pushed = await pushCatalog(pub, pkg.reference);
      await pub.client.close();
      return { pkg, pushed, tree: JSON.stringify(await snapshot(src)) };
    })();
    publishedOn.set(key, p);
  }
  return p;
}

/** Pull the shared catalog through the fault; check the invariants; retry. */
function pullScenario(id: string, title: string, rules: () => Rule[], mustFail = false): Feature {
  return {
    id,
    title,
    area: 'faults',
    optional: false,
    run: (ctx) =>
      unlessNoCatalogs(ctx, async () => {
        const { pkg, pushed, tree } = await published(ctx);
        await using proxy = await startProxy({ host: ctx.target.host }, rules());
        const h = await home(ctx, 'pull', [proxy.host, ctx.target.host]);
        const viaProxy = pkg.reference.replace(ctx.target.host, proxy.host);
        const outcome = await pullCatalog(h, viaProxy).then(
          (r) => ({ ok: true as const, r }),
          (e: Error) => ({ ok: false as const, e }),
        );
        if (outcome.ok) {
          expectThat(!mustFail, 'a corrupted body was accepted');
          expectThat(outcome.r.digest === pushed.digest, 'pulled another digest than was pushed');
          const out = join(ctx.tmp, `fault-out-${Math.random().toString(36).slice(2)}`);
          await unpackageCatalog(h, viaProxy, out);
          expectThat(JSON.stringify(await snapshot(out)) === tree, 'the unpacked tree differs');
        } else {
          expectThat((await listCatalogs(h)).length === 0, 'a failed pull left a reference in the cache');
        }
        expectThat((await partials(h)).length === 0, 'temp or lock files left in the cache');
        const retry = await pullCatalog(h, pkg.reference);
        expectThat(retry.digest === pushed.digest, 'the retry pulled another digest');
        await h.client.close();
        return pass(
          `${proxy.hits.length} fault(s) injected; ${outcome.ok ? 'pull completed, digest verified' : `pull refused (${outcome.e.message.slice(0, 80)})`}; retry ok`,
        );
      }),
  };
}

export const faultFeatures: Feature[] = [
  pushScenario('fault.upload-reset', 'Connection reset at 10, 50 and 90 % of blob uploads', () =>
    [0.1, 0.5, 0.9].map(
      (fraction) =>
        ({
          name: `reset upload at ${fraction * 100} %`,
          method: 'PUT',
          path: UPLOAD_PUT,
          times: 1,
          when: (q) => Number(q.headers['content-length'] ?? 0) > 1024 * 1024,
          action: { kind: 'cut-request', fraction },
        }) as Rule,
    ),
  ),
  pullScenario('fault.download-reset', 'Connection reset at 10, 50 and 90 % of blob downloads', () =>
    [0.1, 0.5, 0.9].map(
      (fraction) =>
        ({
          name: `reset download at ${fraction * 100} %`,
          method: 'GET',
          path: BLOB,
          times: 1,
          action: { kind: 'cut-response', fraction },
        }) as Rule,
    ),
  ),
  pullScenario('fault.truncated', 'A blob body that ends early (clean close, short)', () => [
    {
      name: 'truncate',
      method: 'GET',
      path: BLOB,
      times: 2,
      action: { kind: 'truncate-response', fraction: 0.4 },
    },
  ]),
  pullScenario(
    'fault.corrupted',
    'A blob body with a changed byte (digest headers unchanged)',
    () => [
      {
        name: 'corrupt',
        method: 'GET',
        path: BLOB,
        when: (q) => !q.path.includes('44136fa355b3678a'),
        action: { kind: 'corrupt-response' },
      },
    ],
    true,
  ),
  pushScenario('fault.5xx-burst', 'A burst of 503s with Retry-After', () => [
    { name: '503', times: 3, reply: ociError(503, 'UNAVAILABLE', 'busy', { 'retry-after': '0' }) },
  ]),
  // Two 429s, the first asking for a second's wait: the scenario checks what the burst
  // leaves behind; that the client waits as asked is suites/registries/faults.test.ts's
  pullScenario('fault.429-retry-after', 'A burst of 429s, the first with Retry-After: 1', () => [
    { name: '429', times: 1, reply: ociError(429, 'TOOMANYREQUESTS', 'slow down', { 'retry-after': '1' }) },
    {
      name: '429 again',
      times: 1,
      reply: ociError(429, 'TOOMANYREQUESTS', 'slow down', { 'retry-after': '0' }),
    },
  ]),
  pullScenario('fault.slow-link', 'A slow link (8 MiB/s) and 200 ms latency', () => [
    { name: 'latency', method: ['HEAD', 'POST'], action: { kind: 'delay', ms: 200 } },
    {
      name: 'slow link',
      method: 'GET',
      path: BLOB,
      action: { kind: 'throttle', bytesPerSecond: 8 * 1024 * 1024 },
    },
  ]),
];
