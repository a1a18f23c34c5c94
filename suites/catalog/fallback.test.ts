// The artifact fallback against a real distribution 2.8 behind the quirk proxy,
// one documented refusal at a time: push goes through in the fallback form and
// says so, pull accepts it, and the unpacked tree is the original.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot, writeSampleCatalog } from '../../fixtures/tree.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import {
  rejectArtifactTypeEcr,
  rejectArtifactTypeGitLab,
  rejectArtifactTypeQuay,
  rejectEmptyConfigGar,
} from '../../registries/proxy/refusals.ts';
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
    ['GitLab (400 MANIFEST_INVALID unknown media type)', rejectArtifactTypeGitLab, /400 MANIFEST_INVALID/],
    ['Quay (415)', rejectArtifactTypeQuay, /415/],
    ['ECR (400 UNSUPPORTED)', rejectArtifactTypeEcr, /400 UNSUPPORTED/],
    ['GAR (empty config refused)', rejectEmptyConfigGar, /on the empty config/],
  ] as Array<[string, Rule, RegExp]>)('%s', async ([label, rule, reason], ctx) => {
    if (!reg) return ctx.skip(skip ?? 'no registry');
    await using proxy = await startProxy(reg, [rule]);
    const slug = label.split(' ')[0]!.toLowerCase();
    const h = join(dir, `home-${slug}`);
    const pkg = JSON.parse(
      (
        await ocicat(
          ['catalog', 'package', `oci://${proxy.host}/${slug}/`, '--work-dir', join(dir, 'src'), '--json'],
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
    expect(proxy.hits.map((x) => x.rule)).toContain(rule.name);

    const fresh = join(dir, `fresh-${slug}`);
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
    const out = join(dir, `out-${slug}`);
    expect((await ocicat(['catalog', 'unpackage', pkg.reference, out], { home: fresh })).code).toBe(0);
    expect(await snapshot(out)).toEqual(await snapshot(join(dir, 'src')));
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
