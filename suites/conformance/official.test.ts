// The official OCI conformance suite as a peer in the matrix (issue 13), through
// the real CLI: its rows on a real distribution 2.8 carry the defects it is known
// to find there (REGISTRY-FACTS "What it found"), an optional capability the
// registry lacks is unsupported with the switch recorded, its report is the
// evidence with no secret in it, and a suite that is missing or crashes gives
// error rows, never a pass or a quiet skip.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { findTool } from '../../registries/tools.ts';
import type { Results } from '../../reports/results.ts';
import { ocicat } from '../support/cli.ts';
import { tryStart } from '../support/registry.ts';

const D2 = 'distribution2/process/anonymous';
let dir: string;
let have = false;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-official-'));
  have = (await findTool('conformance')) !== undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = async (out: string) => JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
const cell = (r: Results, reg: string, f: string) =>
  r.results.find((x) => x.registry === reg && x.feature === f);

describe('the official OCI suite in the matrix', () => {
  it('finds on distribution 2.8 what it is known to find, with its report as evidence', async (ctx) => {
    if (!have) return ctx.skip('the official suite is not installed (npm run setup)');
    const out = join(dir, 'd2');
    const run = await ocicat(
      [
        'conformance',
        'run',
        '--registry',
        D2,
        '--feature',
        'oci.',
        '--feature',
        'referrers',
        '--feature',
        'delete',
        '--out',
        out,
      ],
      { home: join(dir, 'h1') },
    );
    expect(run.code, run.stderr).toBe(1); // fail cells, --fail-on fail
    expect(run.stdout).toMatch(/official OCI suite on distribution2\/process\/anonymous: \d+ pass, \d+ fail/);
    const r = await read(out);
    // REGISTRY-FACTS: a sha512 upload accepted then reported under a sha256 digest; a 500 on
    // non-distributable layers and on a bad digest reference
    expect(cell(r, D2, 'oci.data.blobs-sha512')?.status).toBe('fail');
    expect(cell(r, D2, 'oci.data.non-distributable-layers')?.status).toBe('fail');
    expect(cell(r, D2, 'oci.data.invalid-manifest-digest')?.status).toBe('fail');
    expect(cell(r, D2, 'oci.data.image')?.status).toBe('pass');
    // no referrers API: measured by ocicat, so the suite ran with the switch off
    const refs = cell(r, D2, 'oci.api.referrers')!;
    expect(refs.status).toBe('unsupported');
    expect(refs.detail).toContain('OCI_API_REFERRER=false');
    expect(cell(r, D2, 'oci.data.sparse-manifests')?.status).toBe('skip');
    const html = await readFile(
      join(out, 'evidence', 'distribution2_process_anonymous', 'official', 'report.html'),
      'utf8',
    );
    expect(html.length).toBeGreaterThan(10_000);
    expect(cell(r, D2, 'oci.data.blobs-sha512')?.evidence?.join('\n')).toMatch(/sha512 blobs/);
  });

  it('keeps the password out of its evidence', async (ctx) => {
    if (!have) return ctx.skip('the official suite is not installed (npm run setup)');
    const password = 'Official-S3cret-pw';
    const { reg, skip } = await tryStart(() =>
      startDistribution2({ auth: 'htpasswd', login: { username: 'vendor', password } }),
    );
    if (!reg) return ctx.skip(skip ?? 'no registry');
    await using _ = reg;
    const file = join(dir, 'vendor.yaml');
    await writeFile(
      file,
      `registries:\n  - name: v\n    url: http://${reg.host}\n    namespace: v/oci\n    username: vendor\n    passwordEnv: OFFICIAL_PW\n`,
    );
    const out = join(dir, 'vendor');
    const run = await ocicat(
      ['conformance', 'run', '--registries', file, '--feature', 'oci.api.ping', '--out', out],
      {
        home: join(dir, 'h2'),
        env: { OFFICIAL_PW: password },
      },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(cell(await read(out), 'remote/v', 'oci.api.ping')?.status).toBe('pass');
    const files = await readdir(out, { recursive: true });
    expect(files).toContain('evidence/remote_v/official/results.yaml');
    for (const f of files.filter((x) => /\.(yaml|xml|html|json|md|txt)$/.test(x))) {
      const text = await readFile(join(out, f), 'utf8');
      expect(text, f).not.toContain(password);
      expect(text, f).not.toContain(Buffer.from(`vendor:${password}`).toString('base64'));
    }
  });

  it.for([
    ['missing', null, /not installed \(npm run setup builds it/],
    ['crashing', '#!/bin/sh\necho "panic: boom" >&2\nexit 2\n', /wrote no results \(panic: boom\)/],
  ] as const)(
    'a %s suite gives error rows with the reason, and exit 1',
    async ([name, script, reason], ctx) => {
      const tools = join(dir, `tools-${name}`);
      await mkdir(tools, { recursive: true });
      if (script) {
        await writeFile(join(tools, 'conformance'), script);
        await chmod(join(tools, 'conformance'), 0o755);
      }
      const out = join(dir, `out-${name}`);
      const run = await ocicat(['conformance', 'run', '--registry', D2, '--feature', 'oci.', '--out', out], {
        home: join(dir, `h-${name}`),
        env: { OCICAT_TOOLS_DIR: tools, PATH: '/usr/bin:/bin' },
      });
      if (/distribution 2\.8|docker-registry/.test(run.stdout) && /unavailable/.test(run.stdout))
        return ctx.skip('no registry');
      expect(run.code).toBe(1);
      const rows = (await read(out)).results.filter((x) => x.feature.startsWith('oci.'));
      expect(rows.length).toBe(52);
      expect(rows.every((x) => x.status === 'error')).toBe(true);
      expect(rows[0]!.detail).toMatch(reason);
    },
  );
});
