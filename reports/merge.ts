// Merge shard results (one CI job per registry) into one run. Shards must not
// measure the same cell twice; the merged matrix equals the unsharded one.
import { type Results, ResultsError, SCHEMA_VERSION } from './results.ts';

export function mergeResults(shards: Results[]): Results {
  if (shards.length === 0) throw new ResultsError('nothing to merge');
  const seen = new Set<string>();
  const results = shards.flatMap((s) => s.results);
  for (const x of results) {
    const key = `${x.registry}\u0000${x.feature}`;
    if (seen.has(key)) throw new ResultsError(`two shards measured ${x.registry} ${x.feature}`);
    seen.add(key);
  }
  const byId = <T extends { id: string }>(lists: T[][]) => {
    const m = new Map<string, T>();
    for (const l of lists) for (const x of l) if (!m.has(x.id)) m.set(x.id, x);
    return [...m.values()];
  };
  const started = shards.map((s) => s.run.startedAt).sort()[0]!;
  const finished = shards
    .map((s) => s.run.finishedAt)
    .sort()
    .at(-1)!;
  return {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: `merge-${shards
        .map((s) => s.run.id)
        .join('+')
        .slice(0, 80)}`,
      startedAt: started,
      finishedAt: finished,
      durationMs: Date.parse(finished) - Date.parse(started),
      ocicat: shards[0]!.run.ocicat,
      node: shards[0]!.run.node,
      platform: shards[0]!.run.platform,
      shards: shards.map((s) => s.run.id),
    },
    registries: byId(shards.map((s) => s.registries)).sort((a, b) => a.id.localeCompare(b.id)),
    features: byId(shards.map((s) => s.features)),
    results: results.sort(
      (a, b) => a.registry.localeCompare(b.registry) || a.feature.localeCompare(b.feature),
    ),
    // shards measure disjoint registries: their defects and disagreements add up
    defects: shards.flatMap((s) => s.defects),
    disagreements: shards.flatMap((s) => s.disagreements),
  };
}
