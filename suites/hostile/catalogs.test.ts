// Hostile catalogs, second round (issue 24): what a registry's layer or a
// publisher's folder can say that ocicat must refuse, leave out or tame, each
// through the real CLI and, where a layer is pulled, a real registry.
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { evil } from '../../fixtures/evil-tar.ts';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import { ocicat } from '../support/cli.ts';
import { pushRawCatalog } from '../support/raw-catalog.ts';
import { useRegistry } from '../support/use-registry.ts';
import { nothingCached, oneClearLine } from './hostile-support.ts';

const used = useRegistry('hostile-catalogs');
let homes = 0;
const newHome = () => join(used.dir, `home-${homes++}`);
const catalogYaml = (name: string, version: string) =>
  `apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: ${name}\nspec:\n  version: ${version}\n`;

describe('layers a registry serves', () => {
  it('folders 0777 and files 0666 unpack as 0755 and 0644, whatever the umask (N6)', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const layer = evil('modes', [
      { path: 'modes/Catalog.yaml', body: Buffer.from(catalogYaml('modes', '1.0.0')), mode: 0o666 },
      { path: 'modes/open/', type: '5', mode: 0o777 },
      { path: 'modes/open/run.sh', body: Buffer.from('#!/bin/sh\n'), mode: 0o777 },
      { path: 'modes/open/data', body: Buffer.from('x'), mode: 0o666 },
      { path: 'modes/private', body: Buffer.from('y'), mode: 0o600 },
    ]);
    const ref = await pushRawCatalog(used.client, used.reg.host, 'modes', layer);
    const home = newHome();
    const pulled = await ocicat(['catalog', 'pull', ref, '--plain-http'], { home });
    expect(pulled.code, pulled.stderr).toBe(0);
    const out = join(used.dir, 'modes-out');
    const r = await ocicat(['catalog', 'unpackage', ref, out], { home, umask: 0 });
    expect(r.code, r.stderr).toBe(0);
    const mode = async (p: string) => (await lstat(join(out, p))).mode & 0o7777;
    expect(await mode('open')).toBe(0o755);
    expect(await mode('open/run.sh')).toBe(0o755);
    expect(await mode('open/data')).toBe(0o644);
    expect(await mode('Catalog.yaml')).toBe(0o644);
    expect(await mode('private')).toBe(0o600);
  });

  it.for([
    [
      'another name and version',
      catalogYaml('evil', '9.9.9'),
      /Catalog\.yaml says evil 9\.9\.9, the manifest shop 0\.1\.0/,
    ],
    ['no Catalog.yaml', undefined, /holds no Catalog\.yaml/],
    ['a Catalog.yaml that is not one', 'kind: Nope\n', /Catalog\.yaml is not a valid catalog/],
  ] as const)(
    'a manifest of shop 0.1.0 whose layer has %s is refused at pull, nothing cached',
    async ([, yaml, message], ctx) => {
      if (!used.reg) return ctx.skip(used.skip);
      const layer = evil('shop', [
        ...(yaml ? [{ path: 'shop/Catalog.yaml', body: Buffer.from(yaml) }] : []),
        { path: 'shop/services/', type: '5' },
      ]);
      const ref = await pushRawCatalog(used.client, used.reg.host, 'shop', layer, { version: '0.1.0' });
      const home = newHome();
      const r = await ocicat(['catalog', 'pull', ref, '--plain-http'], { home });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      oneClearLine(r.stderr);
      await nothingCached(home);
    },
  );
});

describe("a publisher's folder", () => {
  it('a .git folder is left out of the layer, with a warning (helm package does the same)', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const src = join(used.dir, 'with-git');
    await writeSampleCatalog(src, 'withgit');
    await mkdir(join(src, '.git', 'hooks'), { recursive: true });
    await writeFile(join(src, '.git', 'config'), '[core]\n\tfsmonitor = touch /tmp/ocicat-pwned\n');
    await mkdir(join(src, 'sub', '.GIT'), { recursive: true });
    await writeFile(join(src, 'sub', '.GIT', 'config'), '[core]\n');
    const home = newHome();
    const r = await ocicat(['catalog', 'package', `oci://${used.reg.host}/pub/`, '--work-dir', src], {
      home,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: \.git is left out/);
    expect(r.stderr).toMatch(/warning: sub\/\.GIT is left out/);
    const layouts = join(home, 'cache', 'layouts');
    const files = await readdir(layouts, { recursive: true });
    const blobs = files.filter((f) => /blobs\/sha256\/[0-9a-f]{64}$/.test(f));
    const tars = await Promise.all(
      blobs.map(async (b) => {
        try {
          return gunzipSync(await readFile(join(layouts, b))).toString('latin1');
        } catch {
          return '';
        }
      }),
    );
    const tar = tars.find((t) => t.includes('withgit/Catalog.yaml'))!;
    expect(tar).toBeDefined();
    expect(tar).not.toMatch(/withgit\/\.git|withgit\/sub\/\.GIT|fsmonitor/);
  });

  it.for(['../../../../home/user/.ssh', '/etc', 'pet-store/../../../terraform'])(
    'a chartPath that leaves platform-components/helm/ (%s) is refused with exit 2',
    async (chartPath) => {
      const src = join(used.dir, `chart-${homes}`);
      await writeSampleCatalog(src, 'charts');
      await writeFile(
        join(src, 'services', 'pet-store.yaml'),
        `apiVersion: kubara.io/v1alpha1\nkind: ServiceDefinition\nmetadata:\n  name: pet-store\nspec:\n  chartPath: ${chartPath}\n  status: enabled\n`,
      );
      const home = newHome();
      const r = await ocicat(['catalog', 'package', 'oci://localhost:5000/x/', '--work-dir', src], { home });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/spec\.chartPath ".*" leaves platform-components\/helm\//);
      oneClearLine(r.stderr);
    },
  );
});

describe('the home', () => {
  it('a home others can write is refused before anything is read or written there', async () => {
    const { chmod } = await import('node:fs/promises');
    const home = newHome();
    await mkdir(join(home, 'cache'), { recursive: true, mode: 0o700 });
    await chmod(home, 0o777);
    const r = await ocicat(['catalog', 'list'], { home });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/can be written by others \(mode 0777\): links planted there/);
    expect(r.stderr).toMatch(/hint: chmod go-w/);
    oneClearLine(r.stderr);
    await chmod(home, 0o1777); // sticky, as /tmp: others cannot replace what is ours
    expect((await ocicat(['catalog', 'list'], { home })).code).toBe(0);
  });

  it('a new home is made 0700 whatever the umask, and a readable credentials.json is said', async () => {
    const home = newHome();
    const r = await ocicat(['catalog', 'list'], { home, umask: 0 });
    expect(r.code, r.stderr).toBe(0);
    expect((await lstat(home)).mode & 0o777).toBe(0o700);
    expect((await lstat(join(home, 'cache'))).mode & 0o777).toBe(0o700);
    await writeFile(join(home, 'credentials.json'), '{"auths":{}}', { mode: 0o644 });
    const again = await ocicat(['catalog', 'list'], { home });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/credentials\.json can be read by others \(mode 0644\); chmod 600 it/);
  });
});
