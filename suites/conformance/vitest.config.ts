import { defineConfig } from 'vitest/config';
import { SUITE_OPTIONS } from './suite-options.ts';

// Used by scripts/conformance.ts from the source only (not by npm test): the
// conformance suite against the registries the orchestrator started. Bundled, the
// orchestrator passes the same options itself (scripts/conformance.ts suiteConfig).
export default defineConfig({
  test: {
    include: ['suites/conformance/conformance.conf.ts'],
    root: new URL('../..', import.meta.url).pathname,
    ...SUITE_OPTIONS,
    pool: 'forks',
    reporters: ['./reports/results-reporter.ts'],
  },
});
