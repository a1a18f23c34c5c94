// The catalog workflow end to end through the real `ocicat` binary against real
// distribution 2.8 registries started here: create, add, package, push, pull into
// a fresh home, unpackage, promote, update detection, login; skopeo judges the
// pushed artifact.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SERVICE, snapshot, writeSampleCatalog } from '../../fixtures/tree.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { ocicat } from '../support/cli.ts';
import { tryStart } from '../support/registry.ts';
import { skopeoInspectRaw } from '../support/skopeo.ts';

let a: StartedRegistry | undefined;
let b: StartedRegistry | undefined;
let skip: string | undefined;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-e2e-'));
  ({ reg: a, skip } = await tryStart(() => startDistribution2()));
  if (a) ({ reg: b, skip } = await tryStart(() => startDistribution2()));
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await rm(dir, { recursive: true, force: true });
});

const home = (n: string) => join(dir, `home-${n}`);
const json = <T>(s: string) => JSON.parse(s) as T;

describe('catalog workflow (distribution 2.8)', () => {
  it('create, add, package, push, pull elsewhere, unpackage: the tree comes back identical', async (ctx) => {
    if (!a) return ctx.skip(skip ?? 'no registry');
    const h = home('roundtrip');
    expect((await ocicat(['catalog', 'create', 'shop', '--dir', dir], { home: h })).code).toBe(0);
    const work = join(dir, 'shop');
    const added = await ocicat(['catalog', 'add', 'pet-store', '--work-dir', work], { home: h });
    expect(added.code).toBe(0);
    expect(await stat(join(work, 'platform-components/helm/pet-store/Chart.yaml'))).toBeTruthy();
    // the awkward cases on top of the scaffold
    await writeSampleCatalog(join(dir, 'sample'), 'sample');
    const pkg = await ocicat(
      ['catalog', 'package', `oci://${a.host}/team/`, '--work-dir', join(dir, 'sample'), '--json'],
      { home: h },
    );
    expect(pkg.code, pkg.stderr).toBe(0);
    const packaged = json<{ reference: string; digest: string }>(pkg.stdout);
    expect(packaged.reference).toBe(`oci://${a.host}/team/sample:1.0.0`);

    const push = await ocicat(['catalog', 'push', packaged.reference, '--plain-http', '--json'], { home: h });
    expect(push.code, push.stderr).toBe(0);
    expect(json<{ digest: string; form: string }>(push.stdout)).toMatchObject({
      digest: packaged.digest,
      form: 'kubara',
    });

    const fresh = home('fresh');
    const pull = await ocicat(['catalog', 'pull', packaged.reference, '--plain-http', '--json'], {
      home: fresh,
    });
    expect(pull.code, pull.stderr).toBe(0);
    expect(json<{ digest: string; updated: boolean }>(pull.stdout)).toMatchObject({
      digest: packaged.digest,
      updated: false,
    });
    const list = json<Array<{ name: string; version: string; reference: string; digest: string }>>(
      (await ocicat(['catalog', 'list', '--json'], { home: fresh })).stdout,
    );
    expect(list).toEqual([
      { name: 'sample', version: '1.0.0', reference: packaged.reference, digest: packaged.digest },
    ]);

    const out = join(dir, 'unpacked');
    const up = await ocicat(['catalog', 'unpackage', packaged.reference, out], { home: fresh });
    expect(up.code, up.stderr).toBe(0);
    expect(await snapshot(out)).toEqual(await snapshot(join(dir, 'sample')));

    // the scaffolded catalog goes through too
    const shop = await ocicat(['catalog', 'package', `oci://${a.host}/team`, '--work-dir', work, '--json'], {
      home: h,
    });
    expect(json<{ reference: string }>(shop.stdout).reference).toBe(`oci://${a.host}/team/shop:0.1.0`);
  });

  it('carries kubara media types and annotations, as skopeo reads them', async (ctx) => {
    if (!a) return ctx.skip(skip ?? 'no registry');
    const h = home('skopeo');
    await writeSampleCatalog(join(dir, 'sk'), 'sk');
    const pkg = json<{ reference: string }>(
      (
        await ocicat(['catalog', 'package', `oci://${a.host}/sk/`, '--work-dir', join(dir, 'sk'), '--json'], {
          home: h,
        })
      ).stdout,
    );
    expect((await ocicat(['catalog', 'push', pkg.reference, '--plain-http'], { home: h })).code).toBe(0);
    const seen = await skopeoInspectRaw(a, 'sk/sk:1.0.0');
    if (seen.skip) return ctx.skip(seen.skip);
    const m = JSON.parse(seen.raw!.toString());
    expect(m).toMatchObject({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.kubara.catalog.v1',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2,
        data: 'e30=',
      },
      annotations: {
        team: 'platform',
        'io.kubara.catalog.name': 'sk',
        'io.kubara.catalog.version': '1.0.0',
        'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
      },
    });
    expect(m.layers).toHaveLength(1);
    expect(m.layers[0]).toMatchObject({
      mediaType: 'application/vnd.kubara.catalog.layer.v1.tar+gzip',
      annotations: { 'org.opencontainers.image.title': 'sk' },
    });
  });

  it('promotes to a second repository (mount) and to a second registry with the same digest', async (ctx) => {
    if (!a || !b) return ctx.skip(skip ?? 'no registry');
    const h = home('promote');
    await writeSampleCatalog(join(dir, 'pr'), 'pr');
    const pkg = json<{ reference: string; digest: string }>(
      (
        await ocicat(
          ['catalog', 'package', `oci://${a.host}/dev/`, '--work-dir', join(dir, 'pr'), '--json'],
          { home: h },
        )
      ).stdout,
    );
    expect((await ocicat(['catalog', 'push', pkg.reference, '--plain-http'], { home: h })).code).toBe(0);
    const same = await ocicat(
      ['catalog', 'push', `oci://${a.host}/prod/pr:1.0.0`, '--from', pkg.reference, '--plain-http', '--json'],
      { home: h },
    );
    expect(same.code, same.stderr).toBe(0);
    expect(json<{ digest: string }>(same.stdout).digest).toBe(pkg.digest);
    const other = await ocicat(
      ['catalog', 'push', `oci://${b.host}/prod/pr:1.0.0`, '--from', pkg.reference, '--plain-http', '--json'],
      { home: h },
    );
    expect(other.code, other.stderr).toBe(0);
    expect(json<{ digest: string }>(other.stdout).digest).toBe(pkg.digest);
    for (const ref of [`oci://${a.host}/prod/pr:1.0.0`, `oci://${b.host}/prod/pr:1.0.0`]) {
      const r = await ocicat(['catalog', 'inspect', ref, '--remote', '--plain-http', '--json'], {
        home: home('inspect'),
      });
      expect(json<{ digest: string; name: string }>(r.stdout)).toMatchObject({
        digest: pkg.digest,
        name: 'pr',
      });
    }
  });

  it('reports an update when a re-pushed version changed content', async (ctx) => {
    if (!a) return ctx.skip(skip ?? 'no registry');
    const [pub, sub] = [home('publisher'), home('subscriber')];
    await writeSampleCatalog(join(dir, 'up'), 'up');
    const ref = `oci://${a.host}/up/up:1.0.0`;
    const p1 = json<{ digest: string }>(
      (
        await ocicat(['catalog', 'package', `oci://${a.host}/up/`, '--work-dir', join(dir, 'up'), '--json'], {
          home: pub,
        })
      ).stdout,
    );
    await ocicat(['catalog', 'push', ref, '--plain-http'], { home: pub });
    expect(
      json<{ updated: boolean }>(
        (await ocicat(['catalog', 'pull', ref, '--plain-http', '--json'], { home: sub })).stdout,
      ).updated,
    ).toBe(false);
    await writeFile(join(dir, 'up', 'services', 'pet-store.yaml'), `${SAMPLE_SERVICE}# changed\n`);
    const p2 = json<{ digest: string }>(
      (
        await ocicat(['catalog', 'package', `oci://${a.host}/up/`, '--work-dir', join(dir, 'up'), '--json'], {
          home: pub,
        })
      ).stdout,
    );
    expect(p2.digest).not.toBe(p1.digest);
    await ocicat(['catalog', 'push', ref, '--plain-http'], { home: pub });
    const again = await ocicat(['catalog', 'pull', ref, '--plain-http'], { home: sub });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Updated: ${ref} now resolves to ${p2.digest} (cached was ${p1.digest})`);
  });

  it('packages the same tree to the same digest whatever the order, mtimes and umask', async (ctx) => {
    if (!a) return ctx.skip(skip ?? 'no registry');
    await writeSampleCatalog(join(dir, 'd1'), 'det', { mtime: new Date('1999-12-31') });
    await writeSampleCatalog(join(dir, 'd2'), 'det', { reverse: true, mtime: new Date('2031-01-01') });
    // a third copy written under another umask, by another process
    const script = `process.umask(0o077); const { writeSampleCatalog } = await import(${JSON.stringify(join(import.meta.dirname, '../../fixtures/tree.ts'))}); await writeSampleCatalog(${JSON.stringify(join(dir, 'd3'))}, 'det');`;
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, ['--input-type=module', '-e', script]);
    expect((await stat(join(dir, 'd3', 'empty-dir'))).mode & 0o777).toBe(0o700);
    const digests = new Set<string>();
    for (const d of ['d1', 'd2', 'd3']) {
      const r = await ocicat(
        ['catalog', 'package', `oci://${a.host}/det/`, '--work-dir', join(dir, d), '--json'],
        { home: home(`det-${d}`) },
      );
      digests.add(json<{ digest: string }>(r.stdout).digest);
    }
    expect(digests.size).toBe(1);
  });
});

describe('login (distribution 2.8 with htpasswd)', () => {
  it('checks the password, stores it 0600, never prints it, and push/pull use it', async (ctx) => {
    const { reg, skip: why } = await tryStart(() => startDistribution2({ auth: 'htpasswd' }));
    if (!reg) return ctx.skip(why ?? 'no registry');
    await using _ = reg;
    const h = home('login');
    const { username, password } = reg.login!;
    const wrong = await ocicat(
      ['catalog', 'login', reg.host, '-u', username, '--password-stdin', '--plain-http'],
      { home: h, input: 'wrong-password\n' },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: login to .* failed: the registry refused the credentials\n/);
    expect(wrong.stderr + wrong.stdout).not.toContain('wrong-password');
    await expect(stat(join(h, 'credentials.json'))).rejects.toThrow();

    const ok = await ocicat(
      ['catalog', 'login', reg.host, '-u', username, '--password-stdin', '--plain-http', '--debug'],
      { home: h, input: `${password}\n` },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Login Succeeded');
    expect(ok.stdout + ok.stderr).not.toContain(password);
    expect(ok.stderr).toContain('debug: GET'); // the debug log ran, and still no secret
    const st = await stat(join(h, 'credentials.json'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(await readFile(join(h, 'credentials.json'), 'utf8')).not.toContain(password); // base64 inside, as Docker does

    await writeSampleCatalog(join(dir, 'auth'), 'auth');
    const pkg = json<{ reference: string }>(
      (
        await ocicat(
          ['catalog', 'package', `oci://${reg.host}/auth/`, '--work-dir', join(dir, 'auth'), '--json'],
          { home: h },
        )
      ).stdout,
    );
    const push = await ocicat(['catalog', 'push', pkg.reference, '--plain-http', '--debug'], { home: h });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout + push.stderr).not.toContain(password);
    const anon = await ocicat(['catalog', 'pull', pkg.reference, '--plain-http'], { home: home('anon') });
    expect(anon.code).toBe(1);
    expect(anon.stderr).toMatch(/authentication required/);
    expect(anon.stderr.trim().split('\n')).toHaveLength(2); // one line, and a hint

    expect((await ocicat(['catalog', 'logout', reg.host], { home: h })).stdout).toContain('Removed login');
    expect((await readdir(h)).includes('credentials.json')).toBe(true);
    expect(await readFile(join(h, 'credentials.json'), 'utf8')).not.toContain(reg.host);
  });
});
