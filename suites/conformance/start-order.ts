// The order a registry's features start in. Tests of a concurrent suite start in
// the order they are declared, a few at a time (SUITE_OPTIONS.maxConcurrency), so
// the ones that take longest go first and the short ones fill in beside them:
// measured on olareg (2026-12-02, one registry's run) the fault scenarios took
// 1-3 s each, mostly waiting on the proxy and on retries, and the features that
// drive peer tools (oras, crane, helm, Zarf's shape) 0.5-1.3 s; started last, as
// declared, they were the run's last 3 s. The report's order is not this one
// (results.json lists features as features/index.ts declares them).
import type { Feature } from './feature.ts';

const FIRST: Array<Feature['area']> = ['faults', 'artifact', 'interop', 'catalog'];

const rank = (f: Feature) => {
  const i = FIRST.indexOf(f.area);
  return i === -1 ? FIRST.length : i;
};

/** The features, longest-running areas first; within an area, as declared. */
export function startOrder<F extends Feature>(features: readonly F[]): F[] {
  return features
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map((x) => x.f);
}
