// olareg's rate limit and Warning headers, for real (issue 23): `--rate-limit`
// answers 429 with Retry-After: 1, which the client honours and gets through;
// `--warning` adds `Warning: 299 - "<text>"` to every answer, which the CLI shows
// once per command, and which errors.warning-headers judges well formed (a proxy
// rule that sends a malformed one makes it fail).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import type { RegistryDefinition } from '../../registries/definition.ts';
import { olareg, olaregArgs } from '../../registries/definitions/olareg.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { FEATURES } from '../conformance/features/index.ts';
import { runFeature } from '../conformance/run-feature.ts';
import type { Target } from '../conformance/target.ts';
import { ocicat } from '../support/cli.ts';
import { tryStart } from '../support/registry.ts';
import { useRegistry } from '../support/use-registry.ts';

const used = useRegistry('olareg-limits'); // a distribution 2.8, which sends no Warning
const WARNING = 'this olareg is a test registry, prefer the production one';

const withArgs = (extra: string[]): RegistryDefinition => ({
  ...olareg,
  launch: (ctx) => ({ ...olareg.launch(ctx), args: olaregArgs(ctx, extra) }),
});

const targetFor = (host: string, id: string): Target => ({
  id,
  title: id,
  name: id,
  version: '0',
  provider: 'process',
  auth: 'anonymous',
  host,
  plainHttp: true,
  namespace: 'conformance',
});

const warningFeature = FEATURES.find((f) => f.id === 'errors.warning-headers')!;

async function started(def: RegistryDefinition): Promise<StartedRegistry | string> {
  const { reg, skip } = await tryStart(() => startProcess(def, { auth: 'anonymous' }));
  return reg ?? skip ?? 'olareg unavailable';
}

describe('olareg --warning', () => {
  it('the CLI shows the warning once per command; errors.warning-headers passes, and fails on a malformed one', async (ctx) => {
    const reg = await started(withArgs(['--warning', WARNING]));
    if (typeof reg === 'string') return ctx.skip(reg);
    try {
      const src = join(used.dir, 'warn-src');
      await writeSampleCatalog(src, 'warned');
      const home = join(used.dir, 'warn-home');
      const ref = `oci://${reg.host}/warn/warned:1.0.0`;
      expect(
        (await ocicat(['catalog', 'package', `oci://${reg.host}/warn/`, '--work-dir', src], { home })).code,
      ).toBe(0);
      for (const args of [
        ['catalog', 'push', ref, '--plain-http'],
        ['catalog', 'pull', ref, '--plain-http'],
      ]) {
        const r = await ocicat(args, { home });
        expect(r.code, r.stderr).toBe(0);
        const lines = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
        expect(lines).toEqual([`warning: ${reg.host}: ${WARNING}`]);
      }
      const ok = await runFeature(warningFeature, { targets: [] }, targetFor(reg.host, 'olareg'));
      expect(ok.status, ok.detail).toBe('pass');
      expect(ok.detail).toContain(WARNING);
      // the same registry, its warning made malformed by a proxy rule
      await using proxy = await startProxy(reg, [
        {
          name: 'malformed warning',
          action: {
            kind: 'rewrite',
            rewrite: (a) => ({ ...a, headers: { ...a.headers, warning: 'deprecated!' } }),
          },
        },
      ]);
      const bad = await runFeature(warningFeature, { targets: [] }, targetFor(proxy.host, 'olareg-proxied'));
      expect(bad.status, bad.detail).toBe('fail');
      expect(bad.detail).toMatch(/not in the form 299 - "<text>": deprecated!/);
    } finally {
      await reg.stop();
    }
  });

  it('a registry that sends no Warning passes errors.warning-headers', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const r = await runFeature(warningFeature, { targets: [] }, targetFor(used.reg.host, 'distribution2'));
    expect(r.status, r.detail).toBe('pass');
    expect(r.detail).toBe('no Warning header sent');
  });
});

describe('olareg --rate-limit', () => {
  it('real 429s with Retry-After: the push and pull wait and get through', async (ctx) => {
    // 3 a second: a catalog push and pull meet 429s; at 2 the two blob uploads in flight (a
    // POST and a PUT each) keep the registry at its limit and one runs out of retries
    const reg = await started(withArgs(['--rate-limit', '3']));
    if (typeof reg === 'string') return ctx.skip(reg);
    try {
      const answers: Array<{ status: number; retryAfter?: string; at: number }> = [];
      await using proxy = await startProxy(reg, [
        {
          name: 'count',
          action: {
            kind: 'rewrite',
            rewrite: (a) => {
              const ra = a.headers['retry-after'];
              answers.push({
                status: a.status,
                at: performance.now(),
                ...(ra ? { retryAfter: String(ra) } : {}),
              });
              return a;
            },
          },
        },
      ]);
      const src = join(used.dir, 'rate-src');
      await writeSampleCatalog(src, 'limited');
      const home = join(used.dir, 'rate-home');
      const ref = `oci://${proxy.host}/rate/limited:1.0.0`;
      expect(
        (await ocicat(['catalog', 'package', `oci://${proxy.host}/rate/`, '--work-dir', src], { home })).code,
      ).toBe(0);
      const push = await ocicat(['catalog', 'push', ref, '--plain-http'], { home });
      expect(push.code, push.stderr).toBe(0);
      const pull = await ocicat(['catalog', 'pull', ref, '--plain-http'], {
        home: join(used.dir, 'rate-home-2'),
      });
      expect(pull.code, pull.stderr).toBe(0);
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length, JSON.stringify(answers.map((a) => a.status))).toBeGreaterThan(0);
      for (const l of limited) expect(l.retryAfter).toBe('1');
      // each 429 is followed by answers that got through (the push and pull above succeeded
      // only because the client retried; how long it waited is not asserted here)
      for (const l of limited) {
        const again = answers.find((a) => a.at > l.at && a.status !== 429);
        expect(again, 'nothing got through after a 429').toBeDefined();
      }
    } finally {
      await reg.stop();
    }
  });
});
