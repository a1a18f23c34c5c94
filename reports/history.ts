// The nightly as a timeline (issue 26): runs in the order they started, each cell's
// status across them, and what a maintainer asks of it: since when does it fail,
// did it ever pass, is it flaky or a real change, which defects came and went.
// Kubernetes' testgrid is the model: a grid of runs by test, flakes marked.
//
// - flaky: within runs where the registry's version stays the same, the status
//   goes back to one it had before (pass, fail, pass);
// - regression: it passed, and fails (or errors) from some run on, not flaky;
// - fix: it failed, and passes from some run on, not flaky;
// - upgrade: a change of verdict that comes with a change of the registry's version.
import type { Results, Status } from './results.ts';

export interface HistoryRun {
  id: string;
  started: string;
  ocicat: string;
  /** Registry id -> the version it reported in this run. */
  registries: Record<string, string>;
  /** The run's folder, where the run was given as one (for links to its evidence). */
  folder?: string;
}

export type CellKind = 'regression' | 'fix' | 'upgrade' | 'flaky' | 'stable';

export interface HistoryCell {
  registry: string;
  feature: string;
  /** One per run, null where it did not run. */
  statuses: Array<Status | null>;
  flaky: boolean;
  kind: CellKind;
  /** The run where the present failing streak began; null when it does not fail now. */
  firstFailed: string | null;
  lastPassed: string | null;
}

export interface HistoryDefect {
  registry: string;
  id: string;
  title: string;
  first: string;
  last: string;
  /** In the last run the registry ran in. */
  open: boolean;
}

export interface History {
  schemaVersion: 1;
  runs: HistoryRun[];
  cells: HistoryCell[];
  defects: HistoryDefect[];
}

export class HistoryError extends Error {}

export const MAX_RUNS = 30;

const good = (s: Status | null) => s === 'pass' || s === 'fallback';
const bad = (s: Status | null) => s === 'fail' || s === 'error';

/** A run, reduced to what the history keeps. */
export interface RunInput {
  results: Results;
  folder?: string;
}

/**
 * The history of `runs` (in any order; sorted by start time), continuing
 * `previous` (an earlier history.json) if given; the last `max` runs are kept.
 */
export function buildHistory(inputs: RunInput[], previous?: History, max = MAX_RUNS): History {
  const ids = new Map<string, string>();
  for (const p of previous?.runs ?? []) ids.set(p.id, 'the previous history');
  for (const i of inputs) {
    const id = i.results.run.id;
    if (ids.has(id))
      throw new HistoryError(
        `two runs with the same id ${id} (${ids.get(id)} and ${i.folder ?? 'a results file'})`,
      );
    ids.set(id, i.folder ?? 'a results file');
  }
  const fresh = inputs
    .map((i) => ({
      run: {
        id: i.results.run.id,
        started: i.results.run.startedAt,
        ocicat: i.results.run.ocicat,
        registries: Object.fromEntries(
          i.results.registries.filter((x) => x.state === 'ran').map((x) => [x.id, String(x.version)]),
        ),
        ...(i.folder ? { folder: i.folder } : {}),
      } satisfies HistoryRun,
      results: i.results,
    }))
    .sort((a, b) => a.run.started.localeCompare(b.run.started));

  // the previous history's statuses, by cell, and its defects' first sightings
  // a previous history's runs have no folder here (it was another machine's)
  const earlier = (previous?.runs ?? []).map(({ folder: _, ...r }) => r);
  const all: HistoryRun[] = [...earlier, ...fresh.map((f) => f.run)].sort((a, b) =>
    a.started.localeCompare(b.started),
  );
  const kept = all.slice(-max);
  const index = new Map(kept.map((r, i) => [r.id, i]));
  const statuses = new Map<string, Array<Status | null>>();
  const cellOf = (registry: string, feature: string) => {
    const k = `${registry}\u0000${feature}`;
    let s = statuses.get(k);
    if (!s) {
      s = new Array(kept.length).fill(null);
      statuses.set(k, s);
    }
    return s;
  };
  if (previous)
    for (const c of previous.cells)
      c.statuses.forEach((st, i) => {
        const at = index.get(previous.runs[i]!.id);
        if (at !== undefined && st !== null) cellOf(c.registry, c.feature)[at] = st;
      });
  for (const f of fresh) {
    const at = index.get(f.run.id);
    if (at === undefined) continue;
    for (const x of f.results.results) cellOf(x.registry, x.feature)[at] = x.status;
  }

  const cells: HistoryCell[] = [];
  for (const [k, s] of statuses) {
    const [registry, feature] = k.split('\u0000') as [string, string];
    cells.push(judge(registry, feature, s, kept));
  }
  cells.sort((a, b) => a.registry.localeCompare(b.registry) || a.feature.localeCompare(b.feature));

  // defects: first and last sighting, open when in the registry's last run
  const defects = new Map<string, HistoryDefect>();
  for (const d of previous?.defects ?? []) defects.set(`${d.registry}\u0000${d.id}`, { ...d });
  for (const f of fresh)
    for (const d of f.results.defects) {
      const k = `${d.registry}\u0000${d.id}`;
      const had = defects.get(k);
      if (!had)
        defects.set(k, {
          registry: d.registry,
          id: d.id,
          title: d.title,
          first: f.run.id,
          last: f.run.id,
          open: true,
        });
      else had.last = f.run.id;
    }
  const order = new Map(all.map((r, i) => [r.id, i]));
  for (const d of defects.values()) {
    const lastRan = [...all].reverse().find((r) => d.registry in r.registries);
    d.open = lastRan !== undefined && order.get(d.last) === order.get(lastRan.id);
  }
  return { schemaVersion: 1, runs: kept, cells, defects: [...defects.values()] };
}

function judge(registry: string, feature: string, s: Array<Status | null>, runs: HistoryRun[]): HistoryCell {
  const seen: Array<{ i: number; st: Status; version: string | undefined }> = [];
  s.forEach((st, i) => {
    if (st !== null) seen.push({ i, st, version: runs[i]!.registries[registry] });
  });
  // flaky: back to an earlier status while the version stays
  let flaky = false;
  for (let a = 0; a < seen.length && !flaky; a++) {
    const had = new Set<Status>([seen[a]!.st]);
    for (let b = a + 1; b < seen.length && seen[b]!.version === seen[a]!.version; b++) {
      const now = seen[b]!.st;
      if (now !== seen[b - 1]!.st && had.has(now)) {
        flaky = true;
        break;
      }
      had.add(now);
    }
  }
  const lastPassed = [...seen].reverse().find((x) => good(x.st));
  const last = seen.at(-1);
  let firstFailed: string | null = null;
  if (last && bad(last.st)) {
    let j = seen.length - 1;
    while (j > 0 && bad(seen[j - 1]!.st)) j--;
    firstFailed = runs[seen[j]!.i]!.id;
  }
  let kind: CellKind = 'stable';
  if (flaky) kind = 'flaky';
  else if (last) {
    // the last change of verdict, and whether the version changed with it
    let j = seen.length - 1;
    while (j > 0 && good(seen[j - 1]!.st) === good(last.st) && bad(seen[j - 1]!.st) === bad(last.st)) j--;
    if (j > 0) {
      const before = seen[j - 1]!;
      const after = seen[j]!;
      const changed = (good(before.st) && bad(after.st)) || (bad(before.st) && good(after.st));
      if (changed)
        kind = before.version !== after.version ? 'upgrade' : good(before.st) ? 'regression' : 'fix';
    }
  }
  return {
    registry,
    feature,
    statuses: s,
    flaky,
    kind,
    firstFailed,
    lastPassed: lastPassed ? runs[lastPassed.i]!.id : null,
  };
}

/** The lines a maintainer reads first (and the nightly's job summary). */
export function historySummary(h: History): string {
  const of = (k: CellKind) => h.cells.filter((c) => c.kind === k);
  const lastId = h.runs.at(-1)?.id;
  const opened = h.defects.filter((d) => d.first === lastId && h.runs.length > 1);
  const closed = h.defects.filter((d) => !d.open);
  const lines = [
    `# History: ${h.runs.length} runs, ${h.runs[0]?.started.slice(0, 10) ?? ''} to ${h.runs.at(-1)?.started.slice(0, 10) ?? ''}`,
    '',
    `${of('regression').length} regressions, ${of('fix').length} fixes, ${of('flaky').length} flaky cells, ${of('upgrade').length} changes with a registry upgrade; defects: ${opened.length} opened in the last run, ${closed.length} closed.`,
    '',
  ];
  for (const [k, label] of [
    ['regression', 'Regressions'],
    ['fix', 'Fixes'],
    ['flaky', 'Flaky'],
    ['upgrade', 'With a registry upgrade'],
  ] as const) {
    const list = of(k);
    if (!list.length) continue;
    lines.push(`## ${label}`, '');
    for (const c of list.slice(0, 50))
      lines.push(
        `- ${c.registry} ${c.feature}: ${c.statuses.map((x) => x ?? '·').join(' ')}${c.firstFailed ? ` (failing since ${c.firstFailed})` : ''}`,
      );
    if (list.length > 50) lines.push(`- and ${list.length - 50} more (history.json)`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
