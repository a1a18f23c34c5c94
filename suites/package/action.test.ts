// The GitHub Action (action.yml) as a vendor's workflow runs it (issue 16): its
// own steps, run here by suites/support/composite-action.ts, against a real
// distribution 2.8 with htpasswd: install ocicat from the package a publish
// would upload, build a peer tool with Go, describe the registry from the
// inputs, run, write the job summary, upload the report, fail as --fail-on says.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import type { Results } from '../../reports/results.ts';
import { type ActionRun, readAction, runAction } from '../support/composite-action.ts';
import { pack } from '../support/package.ts';
import { tryStart } from '../support/registry.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ACTION = join(ROOT, 'action.yml');
const PASSWORD = 'action-Pa55-word';
const hasGo = spawnSync('go', ['version']).status === 0;
let dir: string;
let tarball: string;
let reg: StartedRegistry | undefined;
let skip = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-action-'));
  tarball = await pack(dir); // the action installs it itself
  const a = await tryStart(() =>
    startDistribution2({ auth: 'htpasswd', login: { username: 'vendor', password: PASSWORD } }),
  );
  reg = a.reg;
  skip = a.skip ?? '';
}, 300_000);
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

let runs = 0;
async function run(inputs: Record<string, string>): Promise<ActionRun & { workspace: string; temp: string }> {
  const workspace = await mkdtemp(join(dir, `workspace${runs}-`));
  const temp = join(dir, `runner-temp${runs++}`);
  const cache = join(homedir(), '.cache', 'ocicat');
  const r = await runAction(ACTION, {
    inputs: { package: tarball, ...inputs },
    actionPath: ROOT,
    workspace,
    runnerTemp: temp,
    env: {
      // npm install -g into a prefix of these tests, not the machine's (shared: a
      // reinstall of the same tarball is quicker)
      npm_config_prefix: join(dir, 'npm-global'),
      npm_config_prefer_offline: 'true',
      // the Go caches npm run setup fills: a tool builds in seconds
      GOPATH: join(cache, 'go'),
      GOCACHE: join(cache, 'go-build'),
      OCICAT_HOME: join(temp, 'home'),
    },
  });
  return { ...r, workspace, temp };
}

const ran = (r: ActionRun, label: string) => r.steps.find((s) => s.label === label);

describe('the GitHub Action', () => {
  it('declares the inputs the README shows, and composite steps only', async () => {
    const a = await readAction(ACTION);
    for (const i of ['registries', 'registry', 'namespace', 'username', 'password', 'features', 'fail-on'])
      expect(Object.keys(a.inputs)).toContain(i);
    expect(a.runs.using).toBe('composite');
  });

  it('a registry URL with credentials from secrets: installs, builds oras, runs, summarizes, uploads, passes', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    if (!hasGo) return ctx.skip('no Go toolchain to build the peer tools with');
    const r = await run({
      registry: `http://${reg.host}`,
      namespace: 'acme/action',
      username: 'vendor',
      password: PASSWORD,
      features: 'push.blob.monolithic\ncatalog.push interop.oras.pull',
      tools: 'oras',
    });
    const log = r.steps
      .map((s) => `--- ${s.label} (${s.code ?? (s.skipped ? 'skipped' : 'uses')})\n${s.output}`)
      .join('\n');
    expect(r.failed, log).toBe(false);
    expect(r.steps.every((s) => !s.skipped)).toBe(true);
    expect(r.outputs['exit-code']).toBe('0');
    // the oras it built is the one the run used
    expect(r.env.OCICAT_TOOLS_DIR).toBe(join(r.temp, 'ocicat-tools'));
    expect(existsSync(join(r.temp, 'ocicat-tools', 'oras'))).toBe(true);
    const out = join(r.workspace, 'ocicat-report');
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    const cells = results.results.filter((c) => c.registry === 'remote/registry');
    expect(cells.map((c) => `${c.feature} ${c.status}`)).toEqual(
      expect.arrayContaining(['push.blob.monolithic pass', 'catalog.push pass', 'interop.oras.pull pass']),
    );
    // the summary is the report's Markdown; the artifact is the report folder
    expect(r.summary).toBe(await readFile(join(out, 'report.md'), 'utf8'));
    const upload = ran(r, 'actions/upload-artifact@v4')!;
    expect(upload.with).toMatchObject({ name: 'ocicat-report', path: 'ocicat-report' });
    expect(existsSync(join(r.workspace, upload.with!.path!, 'report.html'))).toBe(true);
    // the password went by environment only
    const file = await readFile(join(r.temp, 'ocicat-registries.yaml'), 'utf8');
    expect(file).toContain('passwordEnv: OCICAT_ACTION_PASSWORD');
    expect(file + r.summary + log).not.toContain(PASSWORD);
  });

  it('a wrong password: the step fails, and the summary and report still say why', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    const r = await run({
      registry: `http://${reg.host}`,
      namespace: 'acme/action',
      username: 'vendor',
      password: 'not-the-password',
      features: 'catalog.push',
      tools: '',
    });
    expect(r.failed).toBe(true);
    expect(r.outputs['exit-code']).toBe('1');
    expect(ran(r, 'Verdict')?.code).toBe(1);
    expect(ran(r, 'Job summary')?.skipped).toBe(false);
    expect(ran(r, 'actions/upload-artifact@v4')?.skipped).toBe(false);
    expect(r.summary).toMatch(/credentials refused.*check OCICAT_ACTION_PASSWORD/s);
    expect(r.summary).not.toContain('not-the-password');
  });

  it('fail-on never: fail cells do not fail the step', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    // distribution 2.8 fails this one (the 416 declares a length it does not send)
    const r = await run({
      registry: `http://${reg.host}`,
      namespace: 'acme/action',
      username: 'vendor',
      password: PASSWORD,
      features: 'pull.blob.range-unsatisfiable',
      tools: '',
      'fail-on': 'never',
    });
    expect(r.failed).toBe(false);
    expect(r.summary).toMatch(/pull\.blob\.range-unsatisfiable.*fail/);
  });

  it('a registry without a namespace: the step says so and fails', async () => {
    const r = await run({ registry: 'https://registry.example', tools: '' });
    expect(r.failed).toBe(true);
    expect(ran(r, 'registries')?.output).toContain('the input namespace is required with registry');
  });
});
