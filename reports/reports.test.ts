import { describe, expect, it } from 'vitest';
import { diffResults, formatDiff } from './diff.ts';
import { sampleResults } from './fixture.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { mergeResults } from './merge.ts';
import { evidencePath, ResultsError, validateResults } from './results.ts';

describe('renderers', () => {
  const r = sampleResults();

  it('JUnit: a suite per registry, failure/error/skipped as they should be, escaped', () => {
    const x = renderJunit(r);
    expect(x).toMatch(/^<\?xml/);
    expect(x.match(/<testsuite /g)).toHaveLength(2);
    expect(x).toContain(
      '<testsuites name="ocicat conformance" tests="6" failures="1" errors="1" skipped="2"',
    );
    expect(x).toContain('<failure message="digest &lt;mismatch&gt; &amp; more">');
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

  it('Markdown: summary with throughput, matrix with links to evidence for non-pass cells', () => {
    const md = renderMarkdown(r);
    expect(md).toContain('| reg-a | 1.0.0 | process | anonymous | 1 | 0 | 1 | 1 | 0 | 0 | 100 | 300 |');
    expect(md).toContain('reg-b (unavailable: unreachable)');
    expect(md).toContain(`[➖ unsupported](${evidencePath('reg-a', 'referrers.api')}`);
    expect(md).toContain(`[❌ fail](${evidencePath('reg-b', 'push.blob.monolithic')}`);
    expect(md).toMatch(/\| `push.blob.monolithic` \| ✅ pass \|/);
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
    expect(md).toContain('(error: credentials refused; check ACME_PASSWORD (and the user name))');
    expect(renderHtml(r)).toContain('setup failed: credentials refused; check ACME_PASSWORD');
  });

  it('HTML: self-contained, coloured cells that link to embedded evidence', () => {
    const h = renderHtml(r);
    expect(h).not.toMatch(/<script|<link |src=|@import|url\(/);
    expect(h).toContain(
      '<td class="fail" title="fail: digest &lt;mismatch&gt; &amp; more"><a href="#ev-reg-b-push.blob.monolithic">fail</a></td>',
    );
    expect(h).toContain('id="ev-reg-b-push.blob.monolithic"');
    expect(h).toContain('↑100 ↓300 MiB/s');
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
    [{ schemaVersion: 2 }, /schemaVersion 2/],
    [{ schemaVersion: 1, run: { id: 'x' }, registries: [], features: [], results: [{}] }, /lacks registry/],
  ])('refuses %j', (doc, message) => {
    expect(() => validateResults(doc, 'r.json')).toThrow(ResultsError);
    expect(() => validateResults(doc, 'r.json')).toThrow(message);
  });
});
