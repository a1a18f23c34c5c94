// The conformance run end to end, through the real CLI: one local registry and
// one proxy profile, unsharded and as two shards. The measured statuses must
// agree with what the registries are documented to do; the merged shards must
// give the unsharded matrix; `report diff` must catch an injected regression;
// the HTML report must show its matrix in a real browser.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vectorsDir } from '../../fixtures/kubara-vectors.ts';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import type { Results } from '../../reports/results.ts';
import { evidencePath } from '../../reports/results.ts';
import { CHROMIUM_MISSING, launchChromium } from '../support/chromium.ts';

const exec = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ocicat.js');
const D2 = 'distribution2/process/anonymous';
const GITLAB = 'profile/gitlab';

async function ocicat(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const read = async (dir: string) => JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as Results;
const status = (r: Results, reg: string, f: string) =>
  r.results.find((x) => x.registry === reg && x.feature === f)?.status;
const matrix = (r: Results) => r.results.map((c) => `${c.registry} ${c.feature} ${c.status}`).sort();

let dir: string;
let whole: Results;
let available = true;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-conformance-test-'));
  available = await distribution2.binary().then(
    () => true,
    () => false,
  );
  if (!available) return;
  const run = await ocicat([
    'conformance',
    'run',
    '--registry',
    D2,
    '--registry',
    GITLAB,
    '--out',
    join(dir, 'whole'),
  ]);
  // the GitLab profile fails cells: by default (--fail-on fail) the run exits 1
  expect(run.code, run.stderr + run.stdout).toBe(1);
  expect(run.stdout).toMatch(/exit 1: fail or error cells \(--fail-on fail\)/);
  expect(run.stdout).toMatch(/conformance run took \d+\.\d s/);
  expect(run.stdout).toContain(`report: ${join(dir, 'whole', 'report.html')}`);
  whole = await read(join(dir, 'whole'));
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ocicat conformance run', () => {
  it('measures distribution 2.8 as documented', (ctx) => {
    if (!available) return ctx.skip('distribution 2.8 not installed');
    const e = distribution2.expected;
    expect(status(whole, D2, 'referrers.api')).toBe(e.referrersApi ? 'pass' : 'unsupported');
    expect(status(whole, D2, 'delete.tag')).toBe(e.deleteTag ? 'pass' : 'unsupported');
    expect(status(whole, D2, 'tags.pagination')).toBe(e.tagsPagination ? 'pass' : 'unsupported');
    expect(status(whole, D2, 'push.mount')).toBe(e.mount ? 'pass' : 'unsupported');
    for (const f of [
      'push.blob.monolithic',
      'push.blob.chunked',
      'pull.verify-digest',
      'manifest.artifact-type',
      'catalog.push',
      'catalog.pull',
      'catalog.promote.same-registry',
      'catalog.update-detect',
      'interop.oras.pull', // oras extracts the catalog folder, as kubara's pull does
      'interop.oras.push',
      ...(vectorsDir() ? ['catalog.kubara-artifacts'] : []),
    ]) {
      expect(status(whole, D2, f), f).toBe('pass');
    }
    expect(whole.results.filter((x) => x.status === 'error')).toEqual([]);
    // the official OCI suite ran as a peer, and ocicat's own checks agree with it on
    // distribution 2.8, or the report explains why (issue 13)
    if (status(whole, D2, 'oci.api.ping') !== undefined) {
      expect(status(whole, D2, 'oci.api.ping')).toBe('pass');
      expect(status(whole, D2, 'oci.data.blobs-sha512')).toBe('fail');
      expect(status(whole, D2, 'push.blob.sha512')).toBe('fail');
      expect(status(whole, D2, 'push.blob.out-of-order')).toBe('fail');
      // no disagreement, and every failing official row has the defect (or lacking
      // capability) behind it named (issue 22)
      expect(whole.disagreements.filter((x) => x.registry === D2)).toEqual([]);
      const unnamed = whole.results.filter(
        (x) => x.registry === D2 && x.status === 'fail' && !x.defects?.length && !x.lacks?.length,
      );
      expect(unnamed.map((x) => x.feature)).toEqual([]);
    }
    for (const f of [
      'fault.upload-reset',
      'fault.download-reset',
      'fault.truncated',
      'fault.corrupted',
      'fault.5xx-burst',
      'fault.429-retry-after',
      'fault.slow-link',
    ]) {
      expect(status(whole, D2, f), f).toBe('pass');
      expect(status(whole, GITLAB, f), f).toBe('skip'); // GitLab takes no catalog: nothing to run the scenario with
    }
    const tp = whole.registries.find((x) => x.id === D2)?.throughput;
    expect(tp?.pushMiBps).toBeGreaterThan(0);
    expect(tp?.pullMiBps).toBeGreaterThan(0);
  });

  it('measures the GitLab profile as documented: no catalog form gets through', (ctx) => {
    if (!available) return ctx.skip('distribution 2.8 not installed');
    expect(status(whole, GITLAB, 'manifest.artifact-type')).toBe('unsupported');
    expect(status(whole, GITLAB, 'manifest.fallback')).toBe('fail');
    expect(status(whole, GITLAB, 'catalog.push')).toBe('fail');
    expect(status(whole, GITLAB, 'push.blob.monolithic')).toBe('pass');
    expect(status(whole, GITLAB, 'interop.oras.pull')).toBe('skip');
    if (vectorsDir()) expect(status(whole, GITLAB, 'catalog.kubara-artifacts')).toBe('unsupported');
  });

  it('writes every report, and evidence for every cell that is not a plain pass', async (ctx) => {
    if (!available) return ctx.skip('distribution 2.8 not installed');
    for (const f of ['results.json', 'junit.xml', 'report.md', 'report.html'])
      expect(existsSync(join(dir, 'whole', f)), f).toBe(true);
    const md = await readFile(join(dir, 'whole', 'report.md'), 'utf8');
    const html = await readFile(join(dir, 'whole', 'report.html'), 'utf8');
    expect(md).toContain(`## ${D2}`); // one section per registry, its fault rows among them
    expect(md).toContain('## Defects');
    const decisive = whole.results.filter((x) =>
      ['fail', 'unsupported', 'fallback', 'error'].includes(x.status),
    );
    expect(decisive.length).toBeGreaterThan(3);
    for (const c of decisive) {
      const text = await readFile(join(dir, 'whole', evidencePath(c.registry, c.feature)), 'utf8');
      expect(text.split('\n').length, `${c.registry} ${c.feature}`).toBeGreaterThan(3);
      expect(md).toContain(`(${evidencePath(c.registry, c.feature)})`);
      expect(html).toContain(`id="ev-${c.registry.replace(/[^A-Za-z0-9._-]+/g, '_')}-${c.feature}"`);
    }
    // the evidence shows the request that decided it, e.g. the refused manifest PUT
    const gitlab = await readFile(join(dir, 'whole', evidencePath(GITLAB, 'manifest.fallback')), 'utf8');
    expect(gitlab).toMatch(/PUT http:\/\/127\.0\.0\.1:\d+\/v2\/.*\/manifests\/1\.0\.0 -> 400/);
  });

  it('gives the same matrix from two shards merged', async (ctx) => {
    if (!available) return ctx.skip('distribution 2.8 not installed');
    for (const [name, reg] of [
      ['a', D2],
      ['b', GITLAB],
    ]) {
      const r = await ocicat([
        'conformance',
        'run',
        '--registry',
        reg!,
        '--out',
        join(dir, `shard-${name}`),
        '--fail-on',
        name === 'b' ? 'never' : 'error',
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    const merge = await ocicat([
      'report',
      'merge',
      '--out',
      join(dir, 'merged'),
      join(dir, 'shard-a'),
      join(dir, 'shard-b'),
    ]);
    expect(merge.code, merge.stderr).toBe(0);
    const merged = await read(join(dir, 'merged'));
    expect(matrix(merged)).toEqual(matrix(whole));
    expect(merged.run.shards).toHaveLength(2);
    const same = await ocicat(['report', 'diff', join(dir, 'whole'), join(dir, 'merged')]);
    expect(same.code, same.stdout).toBe(0);
  });

  it('report diff exits non-zero on an injected regression and names it', async (ctx) => {
    if (!available) return ctx.skip('distribution 2.8 not installed');
    const broken: Results = JSON.parse(JSON.stringify(whole));
    const cell = broken.results.find((x) => x.registry === D2 && x.feature === 'catalog.pull')!;
    cell.status = 'fail';
    cell.detail = 'injected';
    await writeFile(join(dir, 'broken.json'), JSON.stringify(broken));
    const d = await ocicat(['report', 'diff', join(dir, 'whole', 'results.json'), join(dir, 'broken.json')]);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`regression  ${D2} catalog.pull: pass -> fail (injected)`);
    expect(d.stderr).toContain('1 regression');
  });

  it('shows the matrix in headless Chromium', async (ctx) => {
    if (!available) return ctx.skip('distribution 2.8 not installed');
    const browser = await launchChromium();
    if (!browser) return ctx.skip(CHROMIUM_MISSING);
    try {
      // the size a vendor's laptop shows (issue 15): 1,600 x 1,000
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      await page.goto(`file://${join(dir, 'whole', 'report.html')}`);
      // the summary comes first: a row per registry
      await page.locator('#summary').waitFor({ state: 'visible' });
      expect(await page.locator('#summary tbody tr').count()).toBe(whole.registries.length);
      // the defects are on the first screen (issue 22): grouped by root cause, each
      // registry's leading to its evidence
      const defects = page.locator('#defects li');
      expect(await defects.count()).toBeGreaterThan(0);
      const firstBox = await defects.first().boundingBox();
      expect(firstBox!.y).toBeLessThan(1000);
      expect(await defects.first().locator('a').first().getAttribute('href')).toMatch(/^evidence\//);
      // the matrix: every feature once, every registry a column, in groups
      expect(await page.locator('table.matrix tbody tr').count()).toBe(whole.features.length);
      expect(await page.locator('table.matrix').first().locator('thead th').count()).toBe(
        whole.registries.length + 1,
      );
      type Css = { getComputedStyle(e: unknown): { backgroundColor: string } };
      const colour = (sel: string) =>
        page
          .locator(sel)
          .first()
          .evaluate((el) => (globalThis as unknown as Css).getComputedStyle(el).backgroundColor);
      expect(await colour('table.matrix td.cell.pass')).toBe('rgb(218, 251, 225)');
      expect(await colour('table.matrix td.cell.fail')).toBe('rgb(255, 215, 213)');
      // the reason is text in the cell, not a tooltip
      expect(await page.locator('table.matrix td.cell.fail small').first().textContent()).not.toBe('');
      // the feature column stays put while the matrix scrolls sideways
      const wrap = page.locator('.wrap').first();
      const feature = wrap.locator('td.feature').first();
      const before = (await feature.boundingBox())!;
      await wrap.evaluate((el) => {
        (el as { scrollLeft: number }).scrollLeft = 100_000;
      });
      const after = (await feature.boundingBox())!;
      expect(Math.abs(after.x - before.x)).toBeLessThan(2);
      const shot = await page.screenshot({ path: join(dir, 'matrix.png') });
      expect(shot.subarray(1, 4).toString()).toBe('PNG');
      await writeFile(join(tmpdir(), 'ocicat-last-matrix.png'), shot);
      // the filter: only rows with a fail
      await page.selectOption('#f-status', 'fail');
      const visible = await page.locator('table.matrix tbody tr:not(.hidden)').count();
      expect(visible).toBeGreaterThan(0);
      expect(visible).toBeLessThan(whole.features.length);
      // a fail cell's link leads to its evidence on the page; a defect's to its file
      await page.locator('table.matrix td.cell.fail a').first().click();
      expect(page.url()).toMatch(/#ev-/);
      const file = await page.locator('#defects li a').first().getAttribute('href');
      expect(existsSync(join(dir, 'whole', file!)), file!).toBe(true);
    } finally {
      await browser.close();
    }
  });
});

describe('a vendor run with one remote entry', () => {
  it('runs against the entry only, and the password appears nowhere in what it writes or prints', async (ctx) => {
    const { startDistribution2 } = await import('../../registries/process/distribution2.ts');
    const { tryStart } = await import('../support/registry.ts');
    const password = 'vendor-S3CRET-pass-0123';
    const { reg, skip } = await tryStart(() =>
      startDistribution2({ auth: 'htpasswd', login: { username: 'vendor', password } }),
    );
    if (!reg) return ctx.skip(skip ?? 'no registry');
    await using _ = reg;
    const file = join(dir, 'vendor.yaml');
    await writeFile(
      file,
      `registries:\n  - name: vendor\n    url: http://${reg.host}\n    namespace: vendor/conformance\n    username: vendor\n    passwordEnv: VENDOR_REGISTRY_PASSWORD\n`,
    );
    const out = join(dir, 'vendor');
    const run = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          BIN,
          'conformance',
          'run',
          '--registries',
          file,
          '--out',
          out,
          '--feature',
          'push.blob',
          '--feature',
          'catalog.push',
          '--feature',
          'auth',
          '--feature',
          'errors',
          // push.blob.* includes the sha512 and out-of-order checks distribution 2.8 fails
          '--fail-on',
          'error',
        ],
        { env: { ...process.env, VENDOR_REGISTRY_PASSWORD: password } },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, text: stdout + stderr }),
      );
    });
    expect(run.code, run.text).toBe(0);
    const r = await read(out);
    expect(r.registries.map((x) => x.id)).toEqual(['remote/vendor']);
    expect(status(r, 'remote/vendor', 'auth.basic')).toBe('pass');
    expect(status(r, 'remote/vendor', 'catalog.push')).toBe('pass');
    expect(run.text).not.toContain(password);
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    for (const f of files)
      expect(await readFile(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain(password);
    expect(r.results.find((x) => x.evidence?.length)).toBeDefined(); // there was evidence to look through
  });
});

describe('auth features on the token variant', () => {
  it('measures Bearer auth as pass (not hidden behind an anonymous token) and Basic as not used', async (ctx) => {
    if (
      !(await distribution2.binary().then(
        () => true,
        () => false,
      ))
    )
      return ctx.skip('distribution 2.8 not installed');
    const out = join(dir, 'auth-token');
    const run = await ocicat([
      'conformance',
      'run',
      '--registry',
      'distribution2/process/token',
      '--feature',
      'auth',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = await read(out);
    const reg = 'distribution2/process/token';
    expect(status(r, reg, 'auth.token')).toBe('pass');
    expect(status(r, reg, 'auth.identity-token')).toBe('pass');
    expect(r.results.find((x) => x.registry === reg && x.feature === 'auth.basic')?.detail).toBe(
      'the registry challenges with bearer',
    );
  });
});
