// The nightly's report job (.github/workflows/nightly.yml, issue 26) run here as
// the runner would (suites/support/composite-action.ts): the shards are merged,
// diffed against the previous night, and added to the history the previous night
// left; the history and its summary are written and uploaded. A flaky cell does not
// fail the night; a regression that begins tonight does, and the summary is still
// written. The downloads are `uses:` steps (recorded): the test puts what they
// would fetch where they put it.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleResults } from '../../reports/fixture.ts';
import { buildHistory } from '../../reports/history.ts';
import type { Results, Status } from '../../reports/results.ts';
import { runWorkflowJob } from '../support/composite-action.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const WORKFLOW = join(ROOT, '.github', 'workflows', 'nightly.yml');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-nightly-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function night(n: number, statuses: Record<string, Status>): Results {
  const base = sampleResults();
  return {
    ...base,
    run: { ...base.run, id: `night-${n}`, startedAt: `2026-11-${10 + n}T02:17:00.000Z` },
    registries: [{ ...base.registries[0]!, id: 'distribution2/process/anonymous', version: '2.8.2' }],
    results: Object.entries(statuses).map(([feature, status]) => ({
      registry: 'distribution2/process/anonymous',
      feature,
      status,
      durationMs: 1,
      detail: status,
    })),
    defects: [],
    disagreements: [],
  };
}

/** A checkout of the repository (symlinks) with what the downloads would have put there. */
async function workspace(name: string, previous: Results[], tonight: Results): Promise<string> {
  const ws = join(dir, name);
  await mkdir(ws, { recursive: true });
  for (const e of await readdir(ROOT))
    if (e !== 'out' && e !== '.git') await symlink(join(ROOT, e), join(ws, e));
  const put = async (path: string, text: string) => {
    await mkdir(join(ws, path, '..'), { recursive: true });
    await writeFile(join(ws, path), text);
  };
  await put('shards/shard-distribution2-process/results.json', JSON.stringify(tonight));
  if (previous.length) {
    await put('out/previous/results.json', JSON.stringify(previous.at(-1)));
    const h = buildHistory(previous.map((results) => ({ results })));
    await put('out/previous-history/history.json', JSON.stringify(h));
  }
  return ws;
}

const run = (ws: string) =>
  runWorkflowJob(WORKFLOW, 'report', {
    workspace: ws,
    runnerTemp: join(ws, '..', `${ws.split('/').at(-1)}-temp`),
    skip: (s) => (s.run?.startsWith('npm install') ? 'installed here already' : undefined),
  });

describe('the nightly report job', () => {
  it('a flaky cell: the history marks it, the night passes, history and summary uploaded', async () => {
    const ws = await workspace(
      'flaky',
      [night(1, { 'catalog.push': 'pass' }), night(2, { 'catalog.push': 'fail' })],
      night(3, { 'catalog.push': 'pass' }),
    );
    const r = await run(ws);
    expect(r.failed, r.steps.map((s) => `${s.label}: ${s.code} ${s.output}`).join('\n')).toBe(false);
    const h = JSON.parse(await readFile(join(ws, 'out', 'history', 'history.json'), 'utf8'));
    expect(h.runs.map((x: { id: string }) => x.id)).toEqual(['night-1', 'night-2', 'merge-night-3']);
    expect(h.cells[0]).toMatchObject({ feature: 'catalog.push', flaky: true, kind: 'flaky' });
    expect(existsSync(join(ws, 'out', 'history', 'history.html'))).toBe(true);
    expect(r.summary).toContain('# History: 3 runs');
    expect(r.summary).toContain('1 flaky cells');
    const upload = r.steps.find(
      (s) => s.uses === 'actions/upload-artifact@v4' && s.with?.name === 'conformance-history',
    );
    expect(upload?.with?.path).toBe('out/history');
  });

  it('a regression that begins tonight fails the night; the summary is still written', async () => {
    const ws = await workspace(
      'regression',
      [night(1, { 'catalog.push': 'pass' }), night(2, { 'catalog.push': 'pass' })],
      night(3, { 'catalog.push': 'fail' }),
    );
    const r = await run(ws);
    expect(r.failed).toBe(true);
    const history = r.steps.find((s) => s.label === 'history')!;
    expect(history.code).toBe(1);
    expect(history.output).toContain('1 regression in the newest run');
    // the diff says what changed, the history gates
    expect(r.steps.find((s) => s.label === 'diff against the previous night')?.code).toBe(0);
    expect(r.summary).toContain('regression  distribution2/process/anonymous catalog.push: pass -> fail');
    expect(r.summary).toContain('## Regressions');
    expect(r.steps.find((s) => s.label === 'summary')?.code).toBe(0);
  });

  it('the first night: no previous history, a history of one run', async () => {
    const ws = await workspace('first', [], night(1, { 'catalog.push': 'pass' }));
    const r = await run(ws);
    expect(r.failed).toBe(false);
    expect(r.steps.find((s) => s.label === 'diff against the previous night')?.skipped).toBe(true);
    expect(r.summary).toContain('# History: 1 runs');
  });
});
