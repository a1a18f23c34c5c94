// The artifact fallback against a real distribution 2.8 behind the quirk proxy,
// one documented refusal at a time: push goes through in the fallback form and
// says so, pull accepts it, and the unpacked tree is the original.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot, writeSampleCatalog } from '../../fixtures/tree.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { type Profile, profile } from '../../registries/proxy/profiles/index.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { Rule } from '../../registries/proxy/rule.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { ocicat } from '../support/cli.ts';
import { tryStart } from '../support/registry.ts';

let reg: StartedRegistry | undefined;
let skip: string | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-fallback-'));
  ({ reg, skip } = await tryStart(() => startDistribution2()));
  await writeSampleCatalog(join(dir, 'src'), 'fb');
});
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('artifact fallback through the quirk proxy', () => {
  it.for([
    ['ecr', /400 UNSUPPORTED/],
    ['gar', /on the empty config/],
    ['quay', /400 MANIFEST_INVALID/],
  ] as Array<[string, RegExp]>)('%s: the fallback form gets through', async ([name, reason], ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const p: Profile = profile(name);
    await using proxy = await startProxy(reg, p.rules());
    const h = join(dir, `home-${name}`);
    const pkg = JSON.parse(
      (
        await ocicat(
          ['catalog', 'package', `oci://${proxy.host}/${name}/`, '--work-dir', join(dir, 'src'), '--json'],
          { home: h },
        )
      ).stdout,
    );
    const push = await ocicat(['catalog', 'push', pkg.reference, '--plain-http', '--json'], { home: h });
    expect(push.code, push.stderr).toBe(0);
    const pushed = JSON.parse(push.stdout);
    expect(pushed.form).toBe('fallback');
    expect(pushed.fallbackReason).toMatch(reason);
    expect(pushed.digest).not.toBe(pkg.digest);
    expect(push.stderr).toMatch(
      /^note: .* refused the catalog artifact form .*; pushed the fallback form instead$/m,
    );
    expect(proxy.hits.length).toBeGreaterThan(0);

    const fresh = join(dir, `fresh-${name}`);
    const pull = await ocicat(['catalog', 'pull', pkg.reference, '--plain-http', '--json'], { home: fresh });
    expect(pull.code, pull.stderr).toBe(0);
    expect(JSON.parse(pull.stdout)).toMatchObject({
      form: 'fallback',
      digest: pushed.digest,
      name: 'fb',
      version: '1.0.0',
    });
    const inspect = JSON.parse(
      (await ocicat(['catalog', 'inspect', pkg.reference, '--json'], { home: fresh })).stdout,
    );
    expect(inspect.config.mediaType).toBe('application/vnd.kubara.catalog.config.v1+json');
    expect(inspect.annotations['io.kubara.catalog.version']).toBe('1.0.0');
    const out = join(dir, `out-${name}`);
    expect((await ocicat(['catalog', 'unpackage', pkg.reference, out], { home: fresh })).code).toBe(0);
    expect(await snapshot(out)).toEqual(await snapshot(join(dir, 'src')));
  });

  it('gitlab: neither form gets through; one clear error naming the refusal, and no tag', async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    await using proxy = await startProxy(reg, profile('gitlab').rules());
    const h = join(dir, 'home-gitlab');
    const pkg = JSON.parse(
      (
        await ocicat(
          ['catalog', 'package', `oci://${proxy.host}/gitlab/`, '--work-dir', join(dir, 'src'), '--json'],
          { home: h },
        )
      ).stdout,
    );
    const push = await ocicat(['catalog', 'push', pkg.reference, '--plain-http'], { home: h });
    expect(push.code).toBe(1);
    expect(push.stderr).toMatch(/^error: .*400 MANIFEST_INVALID: manifest invalid: unknown media type/);
    expect(proxy.hits.filter((x) => x.rule === 'gitlab: unknown media type')).toHaveLength(2); // kubara form, then fallback
    const remote = await ocicat(
      ['catalog', 'inspect', `oci://${reg.host}/gitlab/fb:1.0.0`, '--remote', '--plain-http'],
      { home: h },
    );
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(/404/);
  });

  it("a refusal the fallback cannot cure fails with the registry's own words, and no tag", async (ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    const refuseAll: Rule = {
      name: 'refuse every manifest',
      method: 'PUT',
      path: /\/manifests\//,
      reply: {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: '{"errors":[{"code":"MANIFEST_INVALID","message":"nope"}]}',
      },
    };
    await using proxy = await startProxy(reg, [refuseAll]);
    const h = join(dir, 'home-refuse');
    const pkg = JSON.parse(
      (
        await ocicat(
          ['catalog', 'package', `oci://${proxy.host}/refuse/`, '--work-dir', join(dir, 'src'), '--json'],
          { home: h },
        )
      ).stdout,
    );
    const push = await ocicat(['catalog', 'push', pkg.reference, '--plain-http'], { home: h });
    expect(push.code).toBe(1);
    expect(push.stderr).toMatch(/MANIFEST_INVALID: nope/);
    const remote = await ocicat(
      ['catalog', 'inspect', `oci://${reg.host}/refuse/fb:1.0.0`, '--remote', '--plain-http'],
      { home: h },
    );
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(/404/);
  });
});
