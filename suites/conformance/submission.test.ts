// The vendor's next step (issue 25): from a real run, the folder the OCI
// conformance program takes, and its review checklist. On olareg: exactly the five
// files, every checklist line passing, the registry's setup in the README; through
// a registries file with a password: the password in none of the files. On
// distribution 2.8: not certifiable, the failing required rows named, in the
// checklist and in the report's summary. Bad input: one line, exit 2, nothing written.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { olareg } from '../../registries/definitions/olareg.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { findTool } from '../../registries/tools.ts';
import { ocicat } from '../support/cli.ts';
import { tryStart } from '../support/registry.ts';

const OLA = 'olareg/process/anonymous';
const D2 = 'distribution2/process/anonymous';
let dir: string;
let run: string;
let have = false;
let ran = false;
const PRODUCT = `vendor: olareg project
name: olareg
version: v0.2.2
website_url: https://github.com/olareg/olareg
repo_url: https://github.com/olareg/olareg
documentation_url: https://github.com/olareg/olareg#readme
product_logo_url: https://example.org/logo.svg
type: distribution
description: A lightweight OCI registry.
`;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-submission-'));
  have = (await findTool('conformance')) !== undefined && (await findTool('olareg')) !== undefined;
  if (!have) return;
  run = join(dir, 'run');
  const r = await ocicat(
    [
      'conformance',
      'run',
      '--registry',
      OLA,
      '--registry',
      D2,
      '--feature',
      'oci.',
      '--feature',
      'referrers',
      '--feature',
      'delete',
      '--out',
      run,
      '--fail-on',
      'never',
    ],
    { home: join(dir, 'h') },
  );
  ran = r.code === 0 && !/^unavailable /m.test(r.stdout);
  await writeFile(join(dir, 'PRODUCT.yaml'), PRODUCT);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const submit = (args: string[]) =>
  ocicat(['conformance', 'submission', run, ...args], { home: join(dir, 'h') });

describe('ocicat conformance submission', () => {
  it('olareg: exactly the five files, the checklist passes, the setup reproduced', async (ctx) => {
    if (!ran) return ctx.skip('the official suite, olareg or distribution 2.8 is not here (npm run setup)');
    const out = join(dir, 'sub-ola');
    const r = await submit(['--registry', OLA, '--product', join(dir, 'PRODUCT.yaml'), '--out', out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const folder = join(out, 'distribution-spec', 'v1.1', 'olareg-project-olareg');
    expect((await readdir(folder)).sort()).toEqual([
      'PRODUCT.yaml',
      'README.md',
      'junit.xml',
      'report.html',
      'results.yaml',
    ]);
    expect(r.stdout.split('\n').filter((l) => /^(pass|FAIL) /.test(l))).toHaveLength(5);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.stdout).toContain('certifiable for 1.1');
    // the suite's files as it wrote them, PRODUCT.yaml as given
    const evidence = join(run, 'evidence', 'olareg_process_anonymous', 'official');
    for (const f of ['results.yaml', 'report.html', 'junit.xml'])
      expect((await readFile(join(folder, f))).equals(await readFile(join(evidence, f))), f).toBe(true);
    expect(await readFile(join(folder, 'PRODUCT.yaml'), 'utf8')).toBe(PRODUCT);
    const readme = await readFile(join(folder, 'README.md'), 'utf8');
    expect(readme).toMatch(
      /olareg serve --addr 127\.0\.0\.1 --port \d+ --dir \$RUN_DIR\/data --api-delete --api-blob-delete/,
    );
    expect(readme).toContain('github.com/opencontainers/distribution-spec/conformance@');
    expect(readme).toContain('export OCI_VERSION=1.1');
    expect(readme).toContain(`ocicat conformance run --registry ${OLA}`);
    // the report's summary says it too
    expect(await readFile(join(run, 'report.md'), 'utf8')).toMatch(
      /\| \[olareg\/process\/anonymous\][^\n]*\| certifiable \|/,
    );
    // a second time into the same folder: refused, unless --force
    const again = await submit(['--registry', OLA, '--product', join(dir, 'PRODUCT.yaml'), '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: .* is not empty \(5 files\); --force replaces it\n$/);
    expect(
      (await submit(['--registry', OLA, '--product', join(dir, 'PRODUCT.yaml'), '--out', out, '--force']))
        .code,
    ).toBe(0);
  });

  it('distribution 2.8: not certifiable, the failing required rows named, here and in the summary', async (ctx) => {
    if (!ran) return ctx.skip('the official suite, olareg or distribution 2.8 is not here (npm run setup)');
    const r = await submit([
      '--registry',
      D2,
      '--product',
      join(dir, 'PRODUCT.yaml'),
      '--out',
      join(dir, 'sub-d2'),
      '--dir',
      'd2',
    ]);
    expect(r.code).toBe(1);
    // sha512 and non-distributable layers fail its Blob get and Manifest rows (REGISTRY-FACTS)
    expect(r.stdout).toMatch(
      /^FAIL {2}required rows: not certifiable for 1\.1: API Blob get: FAIL; .*API Manifest get by tag: FAIL/m,
    );
    const md = await readFile(join(run, 'report.md'), 'utf8');
    expect(md).toMatch(
      /\| \[distribution2\/process\/anonymous\][^\n]*\| not certifiable: \d+ required rows fail \|/,
    );
    expect(md).toMatch(
      /Not certifiable for OCI distribution-spec 1\.1: the official suite's required rows `oci\.api\.blob-get`/,
    );
  });

  it.for<[string, string, RegExp]>([
    [
      'a name with OCI in it',
      PRODUCT.replace('name: olareg', 'name: olareg OCI registry'),
      /^error: PRODUCT\.yaml: name "olareg OCI registry" must not contain "OCI"\n$/,
    ],
    [
      'a missing required field',
      PRODUCT.replace(/^documentation_url: .*\n/m, ''),
      /^error: PRODUCT\.yaml: documentation_url is required/,
    ],
    [
      'a logo that is not SVG, AI or EPS',
      PRODUCT.replace('logo.svg', 'logo.png'),
      /product_logo_url must be an SVG, AI or EPS file/,
    ],
    ['YAML that is not a map', '- vendor\n- name\n', /not a map of the program's fields/],
    ['not YAML', 'vendor: [unclosed\n', /: not YAML \(line \d+\)\n$/],
  ])('PRODUCT.yaml with %s: exit 2, that reason, nothing written', async ([, text, message], ctx) => {
    if (!ran) return ctx.skip('the official suite, olareg or distribution 2.8 is not here (npm run setup)');
    const file = join(dir, `product-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await submit(['--registry', OLA, '--product', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('a run without the official suite for that registry: exit 2, one line saying how to get it', async (ctx) => {
    if (!ran) return ctx.skip('the official suite, olareg or distribution 2.8 is not here (npm run setup)');
    const partial = join(dir, 'no-official');
    const r0 = await ocicat(
      ['conformance', 'run', '--registry', OLA, '--feature', 'push.blob.monolithic', '--out', partial],
      {
        home: join(dir, 'h'),
      },
    );
    expect(r0.code).toBe(0);
    const r = await ocicat([
      'conformance',
      'submission',
      partial,
      '--registry',
      OLA,
      '--product',
      join(dir, 'PRODUCT.yaml'),
      '--out',
      join(dir, 'x'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: the run holds no results\.yaml, report\.html, junit\.xml of the official suite for olareg\/process\/anonymous .*run `ocicat conformance run --registry olareg\/process\/anonymous`/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a registry reached with a password: the password in none of the five files', async (ctx) => {
    if (!have) return ctx.skip('the official suite or olareg is not built (npm run setup)');
    const password = 'Subm1ssion-S3cret-pw';
    const { reg, skip } = await tryStart(() =>
      startProcess(olareg, { auth: 'htpasswd', login: { username: 'vendor', password } }),
    );
    if (!reg) return ctx.skip(skip ?? 'no registry');
    await using _ = reg;
    const file = join(dir, 'vendor.yaml');
    await writeFile(
      file,
      `registries:\n  - name: acme\n    url: http://${reg.host}\n    namespace: acme/oci\n    username: vendor\n    passwordEnv: SUBMISSION_PW\n    version: v0.2.2\n`,
    );
    const vrun = join(dir, 'vendor-run');
    const r0 = await ocicat(
      ['conformance', 'run', '--registries', file, '--feature', 'oci.', '--out', vrun, '--fail-on', 'never'],
      {
        home: join(dir, 'h3'),
        env: { SUBMISSION_PW: password },
      },
    );
    expect(r0.code, r0.stdout + r0.stderr).toBe(0);
    const out = join(dir, 'sub-vendor');
    const r = await ocicat([
      'conformance',
      'submission',
      vrun,
      '--registry',
      'remote/acme',
      '--product',
      join(dir, 'PRODUCT.yaml'),
      '--out',
      out,
      '--dir',
      'acme',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const folder = join(out, 'distribution-spec', 'v1.1', 'acme');
    const readme = await readFile(join(folder, 'README.md'), 'utf8');
    expect(readme).toContain('<!-- VENDOR: the full install and configuration steps');
    expect(readme).toContain('export OCI_USERNAME=vendor');
    expect(readme).toContain("export OCI_PASSWORD='<the password, from your environment>'");
    for (const f of await readdir(folder)) {
      const text = await readFile(join(folder, f), 'utf8');
      expect(text, f).not.toContain(password);
      expect(text, f).not.toContain(Buffer.from(`vendor:${password}`).toString('base64'));
    }
  });
});
