// Registry text in the reports (issue 24 N2, N9): report.md is the GitHub job
// summary, so what a registry says must not become markup there; junit.xml must
// stay well formed whatever characters a registry sends.
import { describe, expect, it } from 'vitest';
import { mdCode, mdText, oneLine, xmlText } from './escape.ts';
import { sampleResults } from './fixture.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

// what a hostile registry put in its error text, in the review of issue 24
const HOSTILE = [
  '<img src=https://evil.example/p.png>',
  '[click](https://evil.example/)',
  'see https://evil.example/ and www.evil.example',
  '**ALL PASSED**',
  '<details><summary>fine</summary>',
  'unclosed <!-- hides the rest',
  'line\r# a heading from a bare CR',
  'two\nlines\u2028and\u2029more',
  'a `tick` and ``two`` and a | pipe',
  '`',
];

/**
 * What GitHub's Markdown could read as markup in a line, outside code spans: each
 * code span (a run of N backticks to the next run of exactly N) is removed first,
 * as CommonMark 6.1 parses them.
 */
function outsideCode(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; ) {
    const run = /^`+/.exec(line.slice(i));
    if (!run) {
      out += line[i++];
      continue;
    }
    const n = run[0].length;
    const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`, 'g');
    close.lastIndex = i + n;
    const m = close.exec(line);
    if (!m) {
      out += run[0];
      i += n;
      continue;
    }
    i = m.index + n;
  }
  return out;
}

describe('registry text in report.md', () => {
  it.for(HOSTILE)('%j stays text: one line, in a code span, nothing outside it', (text) => {
    for (const cell of [false, true]) {
      const md = mdCode(text, { cell });
      expect(md.split(/[\r\n\u2028\u2029]/)).toHaveLength(1);
      expect(outsideCode(md).trim()).toBe('');
    }
  });

  it('every detail and reason of a rendered report is inert', () => {
    const r = sampleResults();
    r.registries[1]!.state = 'error';
    r.registries[1]!.reason = HOSTILE.join(' ');
    r.results = r.results.map((c, i) => ({ ...c, detail: HOSTILE[i % HOSTILE.length]! }));
    const md = renderMarkdown(r);
    for (const line of md.split('\n')) {
      const bare = outsideCode(line);
      expect(bare, line).not.toMatch(/<img|<details|<!--|\*\*ALL|evil\.example/);
    }
    expect(md).not.toMatch(/\r|\u2028|\u2029/);
    expect(md).not.toMatch(/^# a heading/m);
  });

  it('short fields stay plain where they can, and go in code where they cannot', () => {
    expect(mdText('distribution3.1.2/process/token')).toBe('distribution3.1.2/process/token');
    expect(mdText('https://evil.example/')).toBe('`https://evil.example/`');
    expect(mdText('v2.15.2-080b0220')).toBe('v2.15.2-080b0220');
    expect(mdText('www.evil.example')).toBe('`www.evil.example`');
    expect(mdText('a*b*')).toBe('`a*b*`');
  });
});

describe('registry text in junit.xml', () => {
  it('characters XML 1.0 forbids are dropped, so the file stays well formed', () => {
    const bad = 'a\ufffeb\uffffc\ud800d\udc00e\u0085f\u0001g\u001bh';
    expect(xmlText(bad)).toBe('abcdefgh');
    expect(xmlText('emoji 😀 stays, & < > " escaped')).toBe('emoji 😀 stays, &amp; &lt; &gt; &quot; escaped');
    const r = sampleResults();
    r.results = r.results.map((c) => ({ ...c, status: 'fail', detail: bad, evidence: [bad] }));
    const x = renderJunit(r);
    // every character of the file is one XML 1.0 allows
    expect(x).toMatch(/^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u);
    expect(x).not.toMatch(/[\u007f-\u009f]/);
  });

  it('oneLine leaves ordinary text alone', () => {
    expect(oneLine('pull 1.0.0: ok — ünïcødé')).toBe('pull 1.0.0: ok — ünïcødé');
  });
});
