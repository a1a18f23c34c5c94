// Compare two runs. A regression is a cell that passed and now does not (fail,
// error, unsupported, fallback, or no longer measured); it makes `report diff`
// exit non-zero. Improvements and other changes are listed too.
import { cellOf, type Results, type Status } from './results.ts';

export interface Change {
  registry: string;
  feature: string;
  from: Status | 'absent';
  to: Status | 'absent';
  kind: 'regression' | 'improvement' | 'change';
  detail?: string;
}

type Cell = ReturnType<typeof cellOf>;

/** The change from cell a to cell b, if any. */
function change(registry: string, feature: string, a: Cell, b: Cell): Change | undefined {
  const from = a?.status ?? 'absent';
  const to = b?.status ?? 'absent';
  if (from === to) return undefined;
  const kind = from === 'pass' ? 'regression' : to === 'pass' ? 'improvement' : 'change';
  return { registry, feature, from, to, kind, ...(b?.detail ? { detail: b.detail } : {}) };
}

function sorted(changes: Change[]): Change[] {
  const rank = { regression: 0, change: 1, improvement: 2 };
  return changes.sort(
    (x, y) =>
      rank[x.kind] - rank[y.kind] ||
      x.registry.localeCompare(y.registry) ||
      x.feature.localeCompare(y.feature),
  );
}

export function diffResults(old: Results, now: Results): Change[] {
  const keys = new Map<string, { registry: string; feature: string }>();
  for (const x of [...old.results, ...now.results])
    keys.set(`${x.registry}\u0000${x.feature}`, { registry: x.registry, feature: x.feature });
  const changes: Change[] = [];
  for (const { registry, feature } of keys.values()) {
    const c = change(registry, feature, cellOf(old, registry, feature), cellOf(now, registry, feature));
    if (c) changes.push(c);
  }
  return sorted(changes);
}

/**
 * Two columns of one run (issue 23): what changes, feature by feature, if one
 * moves from registry `a` to `b` (distribution 3.1.1 to 3.1.2, say). A
 * regression is a feature that passes on `a` and not on `b`.
 */
export function diffColumns(run: Results, a: string, b: string): Change[] {
  const features = new Set(
    run.results.filter((x) => x.registry === a || x.registry === b).map((x) => x.feature),
  );
  const changes: Change[] = [];
  for (const feature of features) {
    const c = change(`${a} -> ${b}`, feature, cellOf(run, a, feature), cellOf(run, b, feature));
    if (c) changes.push(c);
  }
  return sorted(changes);
}

export function formatDiff(changes: Change[]): string {
  if (changes.length === 0) return 'no changes\n';
  return `${changes.map((c) => `${c.kind.padEnd(11)} ${c.registry} ${c.feature}: ${c.from} -> ${c.to}${c.detail ? ` (${c.detail.slice(0, 160)})` : ''}`).join('\n')}\n`;
}
