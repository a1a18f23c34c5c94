// kubara's loader rules, each broken once (kubara vectors README, "Package"):
// `catalog validate` and `catalog package` both refuse, exit 2, name the file
// and the rule, and package caches nothing. The scaffold is kubara's own.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadVector, VECTORS_MISSING, vectorsDir } from '../../fixtures/kubara-vectors.ts';
import { runMain } from '../testing/run-main.ts';
import { addService, createCatalog } from './scaffold.ts';
import { validateCatalog } from './validate.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-validate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runMain([...args, '--home', join(dir, 'home')]);

const SERVICE = (over: Record<string, string | undefined> = {}) => {
  const f = {
    apiVersion: 'kubara.io/v1alpha1',
    kind: 'ServiceDefinition',
    name: 'web',
    chartPath: 'web',
    status: 'enabled',
    ...over,
  };
  return [
    f.apiVersion !== undefined ? `apiVersion: ${f.apiVersion}` : '',
    f.kind !== undefined ? `kind: ${f.kind}` : '',
    'metadata:',
    f.name !== undefined ? `  name: ${f.name}` : '  labels: {}',
    'spec:',
    f.chartPath !== undefined ? `  chartPath: ${f.chartPath}` : '',
    f.status !== undefined ? `  status: ${f.status}` : '',
    '',
  ].join('\n');
};

describe('scaffold', () => {
  it("create and add write kubara's Catalog.yaml and ServiceDefinition, byte for byte", async (ctx) => {
    const work = await createCatalog('demo', dir);
    await addService('web', work);
    await addService('api', work);
    const entries = (await readdir(work, { recursive: true })).sort();
    for (const d of ['platform-components/helm', 'platform-components/terraform', 'platform-configs/helm'])
      expect(entries).toContain(d);
    expect(entries).toContain('platform-components/helm/web/Chart.yaml');
    const r = await validateCatalog(work);
    expect(r.warnings).toEqual([]); // the charts the definitions name exist
    if (!vectorsDir()) return ctx.skip(VECTORS_MISSING);
    const demo = await loadVector('demo');
    const sha = async (f: string) =>
      createHash('sha256')
        .update(await readFile(join(work, f)))
        .digest('hex');
    for (const f of ['Catalog.yaml', 'services/web.yaml', 'services/api.yaml']) {
      const line = demo.tree.find((l) => l.endsWith(` ./${f}`))!;
      expect(line.split(' ')[3], f).toBe(await sha(f));
    }
  });

  it('add never writes through a link that leaves the catalog', async () => {
    const work = await createCatalog('shop', dir);
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await rm(join(work, 'services'), { recursive: true });
    await symlink(elsewhere, join(work, 'services'));
    const r = await cli(['catalog', 'add', 'web', '--work-dir', work]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/leads outside the catalog folder through a link/);
    expect(await readdir(elsewhere)).toEqual([]);
  });
});

describe("kubara's loader rules", () => {
  async function catalogWith(files: Record<string, string>): Promise<string> {
    const work = await createCatalog('shop', dir);
    await addService('web', work);
    for (const [f, text] of Object.entries(files)) {
      await mkdir(join(work, f, '..'), { recursive: true });
      await writeFile(join(work, f), text);
    }
    return work;
  }

  it.each([
    [
      'apiVersion',
      { 'services/web.yaml': SERVICE({ apiVersion: 'v1' }) },
      /apiVersion must be "kubara.io\/v1alpha1"/,
    ],
    ['kind', { 'services/web.yaml': SERVICE({ kind: 'Service' }) }, /kind must be "ServiceDefinition"/],
    ['name missing', { 'services/web.yaml': SERVICE({ name: undefined }) }, /missing metadata.name/],
    ['name not RFC 1123', { 'services/web.yaml': SERVICE({ name: 'Web_1' }) }, /not an RFC 1123 label/],
    ['chartPath', { 'services/web.yaml': SERVICE({ chartPath: undefined }) }, /missing spec.chartPath/],
    ['chartPath empty', { 'services/web.yaml': SERVICE({ chartPath: '""' }) }, /missing spec.chartPath/],
    [
      'status',
      { 'services/web.yaml': SERVICE({ status: 'on' }) },
      /spec.status must be either "enabled" or "disabled"/,
    ],
    ['duplicate', { 'services/other.yml': SERVICE() }, /duplicate service definition "web"/],
    ['duplicate key', { 'services/web.yaml': `${SERVICE()}kind: Again\n` }, /map keys must be unique/],
    [
      'a .yml below a sub-folder',
      { 'services/team/x.yml': SERVICE({ kind: 'Nope' }) },
      /"services\/team\/x.yml": kind/,
    ],
    [
      'Catalog.yaml',
      { 'Catalog.yaml': 'apiVersion: kubara.io/v1alpha1\nkind: Catalog\n' },
      /metadata is required/,
    ],
  ])('%s: validate and package refuse it, exit 2, nothing cached', async (_, files, message) => {
    const work = await catalogWith(files);
    const v = await cli(['catalog', 'validate', '--work-dir', work]);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(message);
    expect(v.err.trim().split('\n').length).toBeLessThanOrEqual(2); // the line, perhaps a hint
    const p = await cli(['catalog', 'package', 'oci://localhost:5000/team/', '--work-dir', work]);
    expect(p.code).toBe(2);
    expect(p.err).toMatch(message);
    expect((await cli(['catalog', 'list', '--json'])).out.trim()).toBe('[]');
  });

  it('warns, without failing, on a symlink and on a chartPath with no chart', async () => {
    const work = await catalogWith({ 'services/api.yaml': SERVICE({ name: 'api', chartPath: 'api' }) });
    await symlink('Catalog.yaml', join(work, 'link.yaml'));
    const v = await cli(['catalog', 'validate', '--work-dir', work]);
    expect(v.code).toBe(0);
    expect(v.err).toMatch(/warning: link.yaml is a symlink: kubara's catalog unpackage refuses/);
    expect(v.err).toMatch(/warning: services\/api.yaml: chartPath "api" names no chart/);
    expect(v.out).toMatch(/Valid: catalog shop 0.1.0, 2 service\(s\)/);
  });

  it('a service file too large is refused before it is parsed', async () => {
    const work = await catalogWith({ 'services/big.yaml': `# ${'x'.repeat(1024 * 1024)}\n` });
    const v = await cli(['catalog', 'validate', '--work-dir', work]);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/ocicat reads catalog YAML files of at most 1048576 bytes/);
  });
});
