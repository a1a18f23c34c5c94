// Vendor mode as a vendor meets it (issue 14): a real distribution 2.8 with
// htpasswd reached only through a registries file. A wrong password, a stopped
// registry, a self-signed certificate without caFile and a namespace the registry
// refuses each end the run with exit 1 and their own hint, and no cell of that
// registry is pass or skip.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { profile } from '../../registries/proxy/profiles/index.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import type { Results } from '../../reports/results.ts';

import { tryStart } from '../support/registry.ts';
import { vendorRun } from '../support/vendor-run.ts';

const PASSWORD = 'vendor-Pa55-word';
let reg: StartedRegistry | undefined;
let tls: StartedRegistry | undefined;
let skip = '';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-vendor-setup-'));
  const a = await tryStart(() =>
    startDistribution2({ auth: 'htpasswd', login: { username: 'vendor', password: PASSWORD } }),
  );
  reg = a.reg;
  skip = a.skip ?? '';
  tls = (await tryStart(() => startDistribution2({ tls: true }))).reg;
});
afterAll(async () => {
  await reg?.stop();
  await tls?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function acmeRun(url: string, password: string, namespace = 'acme/conformance') {
  const { code, text, out } = await vendorRun({
    dir,
    url,
    namespace,
    password,
    features: ['push.blob.monolithic', 'catalog.push'],
    home: join(dir, 'home'),
  });
  const run = { code, text };
  const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
  const written = await Promise.all(
    ['results.json', 'junit.xml', 'report.md', 'report.html'].map((f) => readFile(join(out, f), 'utf8')),
  );
  return { ...run, results, written: written.join('\n') };
}

function brokenSetup(r: Awaited<ReturnType<typeof acmeRun>>, hint: RegExp) {
  expect(r.code, r.text).toBe(1);
  expect(r.text).toMatch(/error remote\/acme: /);
  expect(r.text).toMatch(hint);
  const cells = r.results.results.filter((x) => x.registry === 'remote/acme');
  expect(cells.length).toBeGreaterThan(0);
  expect(
    cells.every((c) => c.status === 'error'),
    JSON.stringify(cells.map((c) => c.status)),
  ).toBe(true);
  expect(r.results.registries[0]?.state).toBe('error');
  expect(r.written).toMatch(hint); // the reason and hint are in the report too
  expect(r.written + r.text).not.toContain(PASSWORD);
  expect(r.written + r.text).not.toContain(Buffer.from(`vendor:${PASSWORD}`).toString('base64'));
}

describe('a vendor run that cannot be set up is an error, with a hint', () => {
  it('a wrong password', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    brokenSetup(
      await acmeRun(`http://${reg.host}`, 'not-the-password'),
      /credentials refused.*check ACME_PASSWORD/s,
    );
  });

  it('a registry that is not running', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    brokenSetup(
      await acmeRun('http://127.0.0.1:9', PASSWORD),
      /cannot be reached.*is the url right, and is the registry running\?/s,
    );
  });

  it('a self-signed certificate without caFile', async (ctx) => {
    if (!tls) return ctx.skip(skip);
    brokenSetup(await acmeRun(`https://${tls.host}`, PASSWORD), /TLS failed.*set caFile/s);
  });

  it('a namespace the registry refuses (a Harbor project that does not exist)', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    await using proxy = await startProxy(reg, profile('harbor').rules());
    brokenSetup(
      await acmeRun(`http://${proxy.host}`, PASSWORD, 'noproject/conformance'),
      /create the project "noproject" first/,
    );
  });

  it('a run that can be set up and passes exits 0', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    const ok = await acmeRun(`http://${reg.host}`, PASSWORD);
    expect(ok.code, ok.text).toBe(0);
    expect(ok.results.results.every((c) => c.status === 'pass')).toBe(true);
  });
});
