// Errors a user can act on (issue 15), through the real CLI against a real
// distribution 2.8: each says what is wrong in one line and what to do next.
import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { ocicat } from '../support/cli.ts';
import { tryStart } from '../support/registry.ts';
import { useRegistry } from '../support/use-registry.ts';

const used = useRegistry('user-errors');
let n = 0;
const home = () => join(used.dir, `home-${n++}`);

async function packaged(h: string, name = 'shop') {
  const src = join(used.dir, `src-${name}-${n++}`);
  await writeSampleCatalog(src, name);
  const r = await ocicat(
    ['catalog', 'package', `oci://${used.reg!.host}/team/`, '--work-dir', src, '--json'],
    { home: h },
  );
  expect(r.code, r.stderr).toBe(0);
  return { src, ...(JSON.parse(r.stdout) as { reference: string; digest: string }) };
}

describe('errors a user can act on', () => {
  it('a missing tag lists the tags that exist', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const h = home();
    const p = await packaged(h, 'tagged');
    expect((await ocicat(['catalog', 'push', p.reference, '--plain-http'], { home: h })).code).toBe(0);
    const r = await ocicat(['catalog', 'pull', `oci://${used.reg.host}/team/tagged:9.9.9`, '--plain-http'], {
      home: home(),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: oci:\/\/.*\/team\/tagged:9\.9\.9 not found\nhint: tags there: 1\.0\.0\n$/,
    );
  });

  it('push to a tag that is not the version says so first', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const h = home();
    await packaged(h, 'latest');
    const r = await ocicat(['catalog', 'push', `oci://${used.reg.host}/team/latest:latest`, '--plain-http'], {
      home: h,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: tag latest is not a cached version of this catalog \(cached: 1\.0\.0\)/,
    );
    expect(r.stderr).toMatch(/hint: a catalog is pushed under its version: .*latest:1\.0\.0/);
  });

  it('unpackage makes the missing parent folders', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const h = home();
    const p = await packaged(h, 'deep');
    const target = join(used.dir, 'a', 'b', 'c', 'deep');
    const r = await ocicat(['catalog', 'unpackage', p.reference, target], { home: h });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(target)).toContain('Catalog.yaml');
  });

  it('changed content under a released version: package and push say so, with both digests', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const h = home();
    const p1 = await packaged(h, 'moved');
    expect((await ocicat(['catalog', 'push', p1.reference, '--plain-http'], { home: h })).code).toBe(0);
    await appendFile(join(p1.src, 'services', 'pet-store.yaml'), '# changed\n');
    const again = await ocicat(
      ['catalog', 'package', `oci://${used.reg.host}/team/`, '--work-dir', p1.src, '--json'],
      { home: h },
    );
    expect(again.code).toBe(0);
    const p2 = JSON.parse(again.stdout) as { digest: string };
    expect(again.stderr).toContain(
      `warning: ${p1.reference} was cached as ${p1.digest} and now holds ${p2.digest}`,
    );
    const push = await ocicat(['catalog', 'push', p1.reference, '--plain-http'], { home: h });
    expect(push.code).toBe(0);
    expect(push.stderr).toContain(`note: ${p1.reference} held ${p1.digest}; it now holds ${p2.digest}`);
  });

  it('a registry that is not running: one line, a hint, no seconds of retries', async () => {
    const t = performance.now();
    const r = await ocicat(['catalog', 'pull', 'oci://127.0.0.1:9/team/x:1.0.0', '--plain-http'], {
      home: home(),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /connection refused \(ECONNREFUSED\)\nhint: is the registry running, and at this host and port\?/,
    );
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('--plain-http against an HTTPS registry names the flag', async (ctx) => {
    const { reg, skip } = await tryStart(() => startDistribution2({ tls: true }));
    if (!reg) return ctx.skip(skip ?? 'no registry');
    await using _ = reg;
    const r = await ocicat(['catalog', 'pull', `oci://${reg.host}/team/x:1.0.0`, '--plain-http'], {
      home: home(),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the registry speaks HTTPS\nhint: leave out --plain-http/);
  });
});
