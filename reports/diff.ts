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

export function diffResults(old: Results, now: Results): Change[] {
  const keys = new Map<string, { registry: string; feature: string }>();
  for (const x of [...old.results, ...now.results])
    keys.set(`${x.registry}\u0000${x.feature}`, { registry: x.registry, feature: x.feature });
  const changes: Change[] = [];
  for (const { registry, feature } of keys.values()) {
    const a = cellOf(old, registry, feature);
    const b = cellOf(now, registry, feature);
    const from = a?.status ?? 'absent';
    const to = b?.status ?? 'absent';
    if (from === to) continue;
    const kind = from === 'pass' ? 'regression' : to === 'pass' ? 'improvement' : 'change';
    changes.push({ registry, feature, from, to, kind, ...(b?.detail ? { detail: b.detail } : {}) });
  }
  const rank = { regression: 0, change: 1, improvement: 2 };
  return changes.sort(
    (x, y) =>
      rank[x.kind] - rank[y.kind] ||
      x.registry.localeCompare(y.registry) ||
      x.feature.localeCompare(y.feature),
  );
}

export function formatDiff(changes: Change[]): string {
  if (changes.length === 0) return 'no changes\n';
  return `${changes.map((c) => `${c.kind.padEnd(11)} ${c.registry} ${c.feature}: ${c.from} -> ${c.to}${c.detail ? ` (${c.detail.slice(0, 160)})` : ''}`).join('\n')}\n`;
}
