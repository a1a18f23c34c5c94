// The conformance suite's vitest options, shared by its config (run from the
// source) and scripts/conformance.ts (run bundled, without a config file).
export const SUITE_OPTIONS = {
  testTimeout: 180_000,
  hookTimeout: 60_000,
  maxConcurrency: 6,
} as const;
