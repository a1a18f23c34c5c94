// Five synthetic nights for the history's tests (issue 26): on reg-a (the same
// version every night) one cell flaky, one regressing from the fourth night, two
// stable; on reg-b (upgraded on the fourth night) one cell fixed by the upgrade.
import { sampleResults } from './fixture.ts';
import type { Results, Status } from './results.ts';

export const REG = 'reg-a'; // the same version every night
export const UPGRADED = 'reg-b'; // 1.0, then 1.1 from the fourth night
export const P: Status = 'pass';
export const F: Status = 'fail';
export const COLUMNS: Record<string, Status[]> = {
  [`${REG} push.blob.monolithic`]: [P, F, P, F, P], // flaky
  [`${REG} catalog.push`]: [P, P, P, F, F], // a regression from run 4
  [`${REG} catalog.pull`]: [P, P, P, P, P],
  [`${REG} delete.tag`]: ['unsupported', 'unsupported', 'unsupported', 'unsupported', 'unsupported'],
  [`${UPGRADED} referrers.api`]: [F, F, F, P, P], // fixed by the upgrade in run 4
  [`${UPGRADED} catalog.pull`]: [P, P, P, P, P],
};
const VERSIONS = ['1.0', '1.0', '1.0', '1.1', '1.1'];

export function run(i: number): Results {
  const base = sampleResults();
  const regression = COLUMNS[`${REG} catalog.push`]![i] === F;
  return {
    ...base,
    run: { ...base.run, id: `night-${i + 1}`, startedAt: `2026-11-2${i + 1}T02:00:00.000Z` },
    registries: [
      { ...base.registries[0]!, id: REG, version: '2.0' },
      { ...base.registries[0]!, id: UPGRADED, version: VERSIONS[i]! },
    ],
    results: Object.entries(COLUMNS).map(([key, s]) => {
      const [registry, feature] = key.split(' ') as [string, string];
      return { registry, feature, status: s[i]!, durationMs: 1, detail: '' };
    }),
    defects: regression
      ? [
          {
            id: 'catalog.push',
            registry: REG,
            title: 't',
            level: 'workflow',
            spec: '',
            detail: '',
            rows: [],
            cases: [],
            evidence: [],
          },
        ]
      : [],
    disagreements: [],
  };
}
