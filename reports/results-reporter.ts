// vitest -> the rows of results.json. Each conformance test carries its result
// in task.meta.conformance; a test that crashed before recording one becomes an
// "error" row with vitest's message. Rows go to $OCICAT_RESULTS_FILE.
import { writeFileSync } from 'node:fs';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { FeatureResult } from '../suites/conformance/run-feature.ts';

/** Set by the orchestrator on a terminal: called as each feature finishes (progress). */
export type ProgressHook = (row: { registry: string; feature: string; status: string }) => void;
const hook = () => (globalThis as { __ocicatConformanceProgress?: ProgressHook }).__ocicatConformanceProgress;

export default class ResultsReporter implements Reporter {
  onTestCaseResult(t: TestCase): void {
    const meta = t.meta().conformance;
    if (meta) hook()?.(meta);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows: FeatureResult[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const meta = t.meta().conformance;
        const r = t.result();
        if (meta) rows.push(meta);
        else if (r.state === 'failed') {
          rows.push({
            registry: t.parent.type === 'suite' ? t.parent.name : 'unknown',
            feature: t.name,
            status: 'error',
            durationMs: Math.round(t.diagnostic()?.duration ?? 0),
            detail: r.errors?.[0]?.message ?? 'the test failed without a result',
          });
        }
      }
    }
    const file = process.env.OCICAT_RESULTS_FILE;
    if (file) writeFileSync(file, JSON.stringify(rows));
    const count = (s: string) => rows.filter((x) => x.status === s).length;
    process.stdout.write(
      `conformance: ${rows.length} results (${count('pass')} pass, ${count('fail')} fail, ${count('unsupported')} unsupported, ${count('fallback')} fallback, ${count('skip')} skip, ${count('error')} error)\n`,
    );
  }
}
