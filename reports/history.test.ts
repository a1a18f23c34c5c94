// The history across runs (history.ts, issue 26): five synthetic runs in which one
// cell is flaky, one regresses in the fourth run, one changes with a registry
// upgrade, and the rest stay put; exactly those are found. Then the CLI's bad
// input: the same run twice, a folder without results.json, a history it cannot
// continue.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import { sampleResults } from './fixture.ts';
import { buildHistory, type History } from './history.ts';
import { COLUMNS, F, P, REG, run, UPGRADED } from './history-fixture.ts';
import type { Results } from './results.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('buildHistory', () => {
  const runs = [4, 0, 2, 1, 3].map(run); // given out of order: sorted by start time
  const h = buildHistory(runs.map((results) => ({ results })));
  const cell = (key: string) => h.cells.find((c) => `${c.registry} ${c.feature}` === key)!;

  it('orders the runs by start and keeps each status', () => {
    expect(h.runs.map((r) => r.id)).toEqual(['night-1', 'night-2', 'night-3', 'night-4', 'night-5']);
    expect(cell(`${REG} catalog.push`).statuses).toEqual(COLUMNS[`${REG} catalog.push`]);
  });

  it('finds exactly one flaky cell, one regression first failed in run 4, one upgrade', () => {
    expect(
      h.cells
        .filter((c) => c.kind !== 'stable')
        .map((c) => [c.feature, c.kind])
        .sort(),
    ).toEqual([
      ['catalog.push', 'regression'],
      ['push.blob.monolithic', 'flaky'],
      ['referrers.api', 'upgrade'],
    ]);
    expect(h.cells.filter((c) => c.flaky).map((c) => c.feature)).toEqual(['push.blob.monolithic']);
    expect(cell(`${REG} catalog.push`)).toMatchObject({
      flaky: false,
      firstFailed: 'night-4',
      lastPassed: 'night-3',
    });
    expect(cell(`${UPGRADED} referrers.api`)).toMatchObject({
      flaky: false,
      firstFailed: null,
      lastPassed: 'night-5',
    });
  });

  it('follows a defect from its first run, open while the newest run has it', () => {
    expect(h.defects).toEqual([
      { registry: REG, id: 'catalog.push', title: 't', first: 'night-4', last: 'night-5', open: true },
    ]);
  });

  it('continues a previous history, and keeps the last 30 runs', () => {
    const first = buildHistory([0, 1, 2].map((i) => ({ results: run(i) })));
    const next = buildHistory(
      [3, 4].map((i) => ({ results: run(i) })),
      first,
    );
    expect(next.cells).toEqual(h.cells);
    const many = Array.from({ length: 35 }, (_, i) => {
      const r = run(0);
      return {
        results: {
          ...r,
          run: { ...r.run, id: `n${i}`, startedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() },
        },
      };
    });
    const kept = buildHistory(many);
    expect(kept.runs).toHaveLength(30);
    expect(kept.runs[0]!.id).toBe('n5');
  });

  it('30 runs of 40 registries x 120 features: every cell, each with 30 statuses', () => {
    const features = Array.from({ length: 120 }, (_, i) => `f${i}`);
    const regs = Array.from({ length: 40 }, (_, i) => `r${i}`);
    const runs30 = Array.from({ length: 30 }, (_, n) => {
      const base = sampleResults();
      return {
        results: {
          ...base,
          run: { ...base.run, id: `n${n}`, startedAt: new Date(Date.UTC(2026, 0, 1 + n)).toISOString() },
          registries: regs.map((id) => ({ ...base.registries[0]!, id })),
          results: regs.flatMap((registry) =>
            features.map((feature, i) => ({
              registry,
              feature,
              status: (i + n) % 7 === 0 ? F : P,
              durationMs: 1,
              detail: '',
            })),
          ),
          defects: [],
          disagreements: [],
        } as Results,
      };
    });
    const big = buildHistory(runs30);
    expect(big.cells).toHaveLength(4800);
    expect(big.cells.every((c) => c.statuses.length === 30)).toBe(true);
  });
});

describe('ocicat report history', () => {
  async function folder(name: string, r: Results) {
    const d = join(dir, name);
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'results.json'), JSON.stringify(r));
    return d;
  }
  const quiet = () => {
    const o: string[] = [];
    const e: string[] = [];
    return {
      o,
      e,
      out: (s: string) => {
        o.push(s);
        return true;
      },
      err: (s: string) => {
        e.push(s);
        return true;
      },
    };
  };

  it('writes history.json and history.html; exit 1 for a regression that begins in the newest run', async () => {
    const runs = await Promise.all([0, 1, 2, 3].map((i) => folder(`r${i}`, run(i))));
    const q = quiet();
    const code = await main(['history', ...runs, '--out', join(dir, 'h')], q.out, q.err);
    expect(q.e.join('')).toBe('1 regression in the newest run\n');
    expect(code).toBe(1);
    const h = JSON.parse(await readFile(join(dir, 'h', 'history.json'), 'utf8')) as History;
    expect(h.runs).toHaveLength(4);
    const html = await readFile(join(dir, 'h', 'history.html'), 'utf8');
    expect(html).toContain('<tr class="regression" data-s="pppf">');
    // a fail cell links to that run's evidence, relative to the history folder
    expect(html).toContain('href="../r3/evidence/reg-a/catalog.push.txt"');
    // the fifth night continues it: the regression is no longer new, the flake does not count
    const q2 = quiet();
    const code2 = await main(
      [
        'history',
        await folder('r4', run(4)),
        '--previous',
        join(dir, 'h', 'history.json'),
        '--out',
        join(dir, 'h2'),
      ],
      q2.out,
      q2.err,
    );
    expect(code2).toBe(0);
    expect(q2.o.join('')).toMatch(
      /^1 regressions, 0 fixes, 1 flaky cells, 1 changes with a registry upgrade/,
    );
  });

  it.each([
    [
      'the same run twice',
      async () => [await folder('same', run(0)), join(dir, 'same', 'results.json')],
      /^error: two runs with the same id night-1/,
    ],
    [
      'a folder without results.json',
      async () => [await mkdir(join(dir, 'empty'), { recursive: true }).then(() => join(dir, 'empty'))],
      /^error: cannot read .*empty\/results\.json: ENOENT\n$/,
    ],
    [
      'a results.json of an unknown schema',
      async () => {
        await mkdir(join(dir, 'v9'), { recursive: true });
        await writeFile(join(dir, 'v9', 'results.json'), '{"schemaVersion":9}');
        return [join(dir, 'v9')];
      },
      /schemaVersion 9: this ocicat reads schema 1 and 2/,
    ],
  ])('%s: one line, exit 2', async (_, args, message) => {
    const q = quiet();
    const code = await main(['history', ...(await args()), '--out', join(dir, 'bad')], q.out, q.err);
    expect(code).toBe(2);
    expect(q.e.join('')).toMatch(message);
    expect(q.e.join('').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a previous history it cannot continue: one line, exit 2', async () => {
    await writeFile(join(dir, 'old-history.json'), '{"schemaVersion":5}');
    const q = quiet();
    const code = await main(
      [
        'history',
        await folder('p0', run(0)),
        '--previous',
        join(dir, 'old-history.json'),
        '--out',
        join(dir, 'bad2'),
      ],
      q.out,
      q.err,
    );
    expect(code).toBe(2);
    expect(q.e.join('')).toMatch(/not a history\.json this ocicat reads \(schemaVersion 1\)/);
  });
});
