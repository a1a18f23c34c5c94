import { describe, expect, it } from 'vitest';
import { REQUIRED_ROWS } from '../suites/conformance/official/rows.ts';
import { diffResults, formatDiff } from './diff.ts';
import { sampleResults } from './fixture.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { mergeResults } from './merge.ts';
import { evidencePath, ResultsError, validateResults } from './results.ts';
import { failureGroups } from './summary.ts';

describe('renderers', () => {
  const r = sampleResults();

  it('JUnit: a suite per registry, failure/error/skipped as they should be, escaped', () => {
    const x = renderJunit(r);
    expect(x).toMatch(/^<\?xml/);
    expect(x.match(/<testsuite /g)).toHaveLength(2);
    expect(x).toContain(
      '<testsuites name="ocicat conformance" tests="6" failures="1" errors="1" skipped="2"',
    );
    // the defect behind a fail cell first
    expect(x).toContain('<failure message="[push.blob.monolithic] digest &lt;mismatch&gt; &amp; more">');
    expect(x).toContain('<error message="harness broke">');
    expect(x).toContain('<skipped message="unsupported: 404"/>');
    expect(x).toContain('<system-out>fallback: fallback form (415)</system-out>');
    expect(x.match(/<testcase /g)).toHaveLength(6);
    // balanced: every opened element is closed (self-closing ones count as both)
    const opened = (x.match(/<(testsuites|testsuite|testcase|failure|error|system-out)[\s>]/g) ?? []).length;
    const closed =
      (x.match(/<\/(testsuites|testsuite|testcase|failure|error|system-out)>/g) ?? []).length +
      (x.match(/<testcase [^>]*\/>/g) ?? []).length;
    expect(closed).toBe(opened);
  });

  it('Markdown: summary first, defects, errors by cause, one section per registry with every non-pass reason', () => {
    const md = renderMarkdown(r);
    expect(md).toContain(
      '| [reg-a](#reg-a) | 1.0.0 | process | anonymous | ran | 0 |  | 1 | 0 | 1 | 1 | 0 | 0 |',
    );
    expect(md).toContain('| unavailable: `unreachable` |');
    expect(md).toContain('Throughput: push 100 MiB/s median (100-100, 1 registries), pull 300 MiB/s median');
    expect(md).toContain('indicative only');
    expect(md.indexOf('## Summary')).toBeLessThan(md.indexOf('## Defects'));
    expect(md.indexOf('## Defects')).toBeLessThan(md.indexOf('## Errors by cause'));
    expect(md).toContain('- 💥 error × 1: `harness broke`');
    // the fail cell is a defect, with its evidence and the cells it fails
    expect(md).toContain('1 defects on 1 registries, 1 root causes.');
    expect(md).toContain(`reg-b ([evidence](${evidencePath('reg-b', 'push.blob.monolithic')}); 1 cell)`);
    expect(md).toContain('| `push.blob.monolithic` | [❌ fail]');
    // per registry: the reason of every non-pass cell, passes in one line
    expect(md).toContain(
      `| \`referrers.api\` (optional) | [➖ unsupported](${evidencePath('reg-a', 'referrers.api')}) |  | \`404\` |`,
    );
    expect(md).toContain('| `catalog.push` | ⏭ skip |  | `registry unavailable: unreachable` |');
    expect(md).toContain(
      `| \`push.blob.monolithic\` | [❌ fail](${evidencePath('reg-b', 'push.blob.monolithic')}) | \`push.blob.monolithic\` |`,
    );
    expect(md).toContain('Passed: `push.blob.monolithic`.');
    // no table wider than a registry's own
    const widest = Math.max(
      ...md
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map((l) => l.split('|').length),
    );
    expect(widest).toBeLessThanOrEqual(15);
  });

  it('failures are grouped by cause whatever the URL, digest or number', () => {
    const base = sampleResults();
    const fails = ['a', 'b', 'c'].map((reg, i) => ({
      registry: `reg-${reg}`,
      feature: 'push.blob.monolithic',
      status: 'fail' as const,
      durationMs: 1,
      detail: `PUT http://127.0.0.1:${4000 + i}/v2/x-${i}abcdef/blobs/sha256:${String(i).repeat(64)}: 500 after ${i} tries`,
    }));
    const g = failureGroups({ ...base, results: fails });
    expect(g).toHaveLength(1);
    expect(g[0]!.cells).toHaveLength(3);
  });

  it('Markdown and HTML: what a vendor run left behind, and a registry that could not be set up', () => {
    const r = sampleResults();
    r.registries[0]!.cleanup = {
      deleted: 3,
      refused: ['ns/run-1/app@sha256:abc: 405 UNSUPPORTED'],
      left: [],
    };
    r.registries[1]!.state = 'error';
    r.registries[1]!.reason = 'credentials refused; check ACME_PASSWORD (and the user name)';
    const md = renderMarkdown(r);
    expect(md).toContain('## Left on the registries');
    expect(md).toContain('`ns/run-1/app@sha256:abc: 405 UNSUPPORTED`');
    expect(md).toContain('| error: `credentials refused; check ACME_PASSWORD (and the user name)` |');
    const h = renderHtml(r);
    expect(h).toContain('setup failed<div class="why">credentials refused; check ACME_PASSWORD');
  });

  it('HTML: self-contained, coloured cells that link to embedded evidence', () => {
    const h = renderHtml(r);
    // self-contained: one inline script (the filters), nothing fetched
    expect(h).not.toMatch(/<script[^>]*src=|<link |@import|url\(/);
    expect(h.match(/<script>/g)).toHaveLength(1);
    // the reason is written in the cell, which links to its evidence
    expect(h).toContain(
      '<td class="cell fail" data-s="fail" title="fail: digest &lt;mismatch&gt; &amp; more"><a href="#ev-reg-b-push.blob.monolithic"><b>fail</b><i>push.blob.monolithic</i><small>digest &lt;mismatch&gt; &amp; more</small></a></td>',
    );
    expect(h).toContain('id="ev-reg-b-push.blob.monolithic"');
    // summary before failures before matrix; throughput out of the column heads
    expect(h.indexOf('id="summary"')).toBeLessThan(h.indexOf('id="defects"'));
    expect(h.indexOf('id="defects"')).toBeLessThan(h.indexOf('id="failures"'));
    expect(h.indexOf('id="failures"')).toBeLessThan(h.indexOf('class="matrix"'));
    expect(h).not.toContain('↑100');
    expect(h).toContain('push 100 MiB/s median');
    // groups of the matrix
    expect(h).toContain('OCI distribution spec (ocicat) (2 features, 2 fail or error)');
    expect(h).toContain('Catalog workflow (1 features)');
    expect(h).toContain('Monolithic &lt;upload&gt; &amp; &quot;quotes&quot;');
  });
});

describe('diff', () => {
  it('reports a pass that no longer passes as a regression, and improvements apart', () => {
    const old = sampleResults();
    const now = sampleResults({
      results: old.results.map((x) =>
        x.registry === 'reg-a' && x.feature === 'push.blob.monolithic'
          ? { ...x, status: 'fail' as const, detail: 'now broken' }
          : x.feature === 'referrers.api' && x.registry === 'reg-a'
            ? { ...x, status: 'pass' as const }
            : x,
      ),
    });
    const changes = diffResults(old, now);
    expect(changes).toEqual([
      {
        registry: 'reg-a',
        feature: 'push.blob.monolithic',
        from: 'pass',
        to: 'fail',
        kind: 'regression',
        detail: 'now broken',
      },
      {
        registry: 'reg-a',
        feature: 'referrers.api',
        from: 'unsupported',
        to: 'pass',
        kind: 'improvement',
        detail: '404',
      },
    ]);
    expect(formatDiff(changes)).toMatch(/^regression {2}reg-a push.blob.monolithic: pass -> fail/);
    expect(diffResults(old, old)).toEqual([]);
  });

  it('treats a cell that disappeared as a regression when it passed', () => {
    const old = sampleResults();
    const now = sampleResults({
      results: old.results.filter((x) => !(x.registry === 'reg-a' && x.feature === 'push.blob.monolithic')),
    });
    expect(diffResults(old, now)[0]).toMatchObject({ from: 'pass', to: 'absent', kind: 'regression' });
  });
});

describe('merge', () => {
  it('joins shards into the unsharded matrix and refuses double measurements', () => {
    const all = sampleResults();
    const shard = (reg: string) =>
      sampleResults({
        run: { ...all.run, id: reg },
        registries: all.registries.filter((x) => x.id === reg),
        results: all.results.filter((x) => x.registry === reg),
      });
    const merged = mergeResults([shard('reg-b'), shard('reg-a')]);
    const matrix = (x: typeof all) => x.results.map((c) => `${c.registry} ${c.feature} ${c.status}`).sort();
    expect(matrix(merged)).toEqual(matrix(all));
    expect(merged.registries.map((x) => x.id)).toEqual(['reg-a', 'reg-b']);
    expect(merged.run.shards).toEqual(['reg-b', 'reg-a']);
    expect(() => mergeResults([shard('reg-a'), shard('reg-a')])).toThrow(/two shards measured/);
  });
});

describe('results.json validation', () => {
  it.each([
    [null, /not a JSON object/],
    [{ schemaVersion: 3 }, /schemaVersion 3: this ocicat reads schema 1 and 2 \(a newer ocicat wrote it/],
    [
      { schemaVersion: 2, run: { id: 'x' }, registries: [], features: [], results: [] },
      /defects and disagreements/,
    ],
    [{ schemaVersion: 1, run: { id: 'x' }, registries: [], features: [], results: [{}] }, /lacks registry/],
  ])('refuses %j', (doc, message) => {
    expect(() => validateResults(doc, 'r.json')).toThrow(ResultsError);
    expect(() => validateResults(doc, 'r.json')).toThrow(message);
  });
});

describe('certifiable, in the summary', () => {
  const withRequired = (provider: string, status: 'pass' | 'fail') => {
    const base = sampleResults();
    return sampleResults({
      registries: [{ ...base.registries[0]!, provider }],
      results: [...REQUIRED_ROWS].map((feature, i) => ({
        registry: 'reg-a',
        feature,
        status: i === 0 ? status : 'pass',
        durationMs: 1,
        detail: '',
      })),
    });
  };
  it('says it for a registry the suite measured, and that a profile only models it', () => {
    expect(renderMarkdown(withRequired('process', 'pass'))).toMatch(/\| 0 \| certifiable \|/);
    expect(renderMarkdown(withRequired('process', 'fail'))).toMatch(
      /\| not certifiable: 1 required rows fail \|/,
    );
    expect(renderMarkdown(withRequired('proxy', 'pass'))).toMatch(/\| certifiable \(modelled\) \|/);
    expect(renderHtml(withRequired('proxy', 'pass'))).toContain('certifiable <small title="the profile');
  });
});
