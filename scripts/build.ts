// npm run build: bundle the CLI (and the benchmark's client processes) into
// plain JavaScript under dist/. Node then starts without loading its TypeScript
// stripper or ~60 modules one by one: `ocicat --help` measured 105 MiB peak RSS
// and 0.31 s from source, 64 MiB and 0.09 s bundled (reports/bench).
// dist/<name>.json lists each bundle's inputs with their sha256, so that
// bin/ocicat.js runs the bundle only while it matches the source, and the
// source otherwise. Run by `npm run setup`, `npm test` and `npm run bench`.
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { build } from 'rolldown';
// @ts-expect-error plain JavaScript, without types
import { fileSha256 } from '../bin/fresh-bundle.js';
import { atomicWrite } from '../harness/util/atomic-write.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');

export const BUNDLES: Record<string, string> = {
  // first: the others start it (harness/remote/blob-workers.ts), so its inputs count as theirs
  'blob-worker': 'harness/remote/blob-worker.ts',
  cli: 'harness/cli/main.ts',
  // `ocicat conformance` and `ocicat report` (bin/ocicat.js routes to them), and what
  // the conformance run hands vitest: the suite and its reporter as JavaScript, so
  // that an installed package runs them with any Node it accepts (issue 16)
  conformance: 'scripts/conformance.ts',
  report: 'reports/cli.ts',
  'conformance-suite': 'suites/conformance/conformance.conf.ts',
  'results-reporter': 'reports/results-reporter.ts',
  'bench-artifact-op': 'scripts/bench/artifact-op.ts',
  'bench-blob-op': 'scripts/bench/blob-op.ts',
  'bench-large-op': 'scripts/bench/large-op.ts',
};

const EXTERNAL = [/^vitest(\/|$)/, /^testcontainers(\/|$)/];

export async function buildAll(): Promise<void> {
  await mkdir(DIST, { recursive: true });
  let workerInputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(BUNDLES)) {
    const out = await build({
      input: join(ROOT, input),
      platform: 'node',
      logLevel: 'warn',
      // package.json "dependencies": vitest runs the suite in its own workers;
      // testcontainers is loaded only for container registries
      external: EXTERNAL,
      // the oldest Node package.json "engines" accepts: syntax it lacks (await using) is lowered
      transform: { target: 'node20' },
      output: { file: join(DIST, `${name}.mjs`), format: 'esm', codeSplitting: false },
      write: false,
    });
    const chunk = out.output.find((o) => o.type === 'chunk');
    if (!chunk) throw new Error(`${input}: the bundler produced no code`);
    const inputs: Record<string, string> = { ...workerInputs };
    for (const id of chunk.moduleIds) {
      if (id.startsWith('\0') || id.includes('/node_modules/')) continue;
      inputs[relative(ROOT, id)] = fileSha256(id);
    }
    if (name === 'blob-worker') workerInputs = inputs;
    // Temp file + rename: a CLI starting meanwhile (the suites spawn it while a
    // test rebuilds) reads the old bundle or the new one, never half of one.
    await atomicWrite(join(DIST, `${name}.mjs`), chunk.code);
    await atomicWrite(join(DIST, `${name}.json`), `${JSON.stringify({ input, inputs }, null, 2)}\n`);
  }
}

if (import.meta.main) {
  const t0 = performance.now();
  await buildAll();
  process.stdout.write(
    `built ${Object.keys(BUNDLES).length} bundles into dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}
