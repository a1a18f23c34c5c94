import { defineConfig } from 'vitest/config';

// Used by scripts/conformance.ts only (not by npm test): the conformance suite
// against the registries the orchestrator started.
export default defineConfig({
  test: {
    include: ['suites/conformance/conformance.conf.ts'],
    root: new URL('../..', import.meta.url).pathname,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    maxConcurrency: 6,
    pool: 'forks',
    reporters: ['./reports/results-reporter.ts'],
  },
});
