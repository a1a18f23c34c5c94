// The conformance suite: every feature against every registry the orchestrator
// started (scripts/conformance.ts hands them over in the environment). Each test
// carries its feature id and its measured status in task.meta; the results
// reporter turns those into results.json. A registry's fail is a result, not a
// broken test: only a harness error fails the test.
import { describe, it } from 'vitest';
import { featuresFor, SPEC_ENV, type SpecLevel } from './features/index.ts';
import { type FeatureResult, runFeature } from './run-feature.ts';
import { startOrder } from './start-order.ts';
import { targetsFromEnv } from './target.ts';

declare module 'vitest' {
  interface TaskMeta {
    conformance?: FeatureResult;
  }
}

const targets = targetsFromEnv();
const only = process.env.OCICAT_CONFORMANCE_FEATURES?.split(',').filter(Boolean);

for (const target of targets.targets) {
  describe.concurrent(target.id, () => {
    const spec = (process.env[SPEC_ENV] ?? '1.1') as SpecLevel;
    for (const feature of startOrder(featuresFor(spec)).filter(
      (f) => !only || only.some((o) => f.id.startsWith(o)),
    )) {
      it(feature.id, async ({ task, skip }) => {
        const result = await runFeature(feature, targets, target);
        task.meta.conformance = result;
        if (result.status === 'skip') skip(result.detail);
        if (result.status === 'error') throw new Error(`harness error: ${result.detail}`);
      });
    }
  });
}
