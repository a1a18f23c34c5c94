import { defineConfig } from 'vitest/config';

// Unit tests use HTTP test doubles only; integration tests start real registries
// (see registries/) and are slower, so they get longer timeouts.
export default defineConfig({
  test: {
    reporters: ['default', './reports/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{harness,registries,reports,fixtures}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts', 'suites/**/*.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
