// Text that reaches a report from a registry, a peer tool or a results file
// (error messages, reasons, references, ids), made inert for each medium, in one
// place each (issue 24 N2, N9). report.md is the GitHub Action's job summary, so
// it is read as GitHub Markdown with HTML: such text goes in code spans, where
// no tag, comment, link, autolink or emphasis is read, on one line.

/** Line breaks of every kind, C0 and C1 controls, bidi overrides, noncharacters and lone surrogates: one line, nothing hidden. */
export function oneLine(s: string): string {
  return s
    .replace(/\r\n|[\r\n\u000b\u000c\u0085\u2028\u2029]/g, ' ')
    .replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}

/**
 * A Markdown code span holding `s` as text: a fence of more backticks than any
 * run inside it (CommonMark 6.1), padded where the text starts or ends with one.
 * In a table cell (`cell`), "|" is escaped as GFM reads it there, code included.
 */
export function mdCode(s: string, options: { cell?: boolean } = {}): string {
  let t = oneLine(s);
  if (t.trim() === '') return '';
  if (options.cell) t = t.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(t) ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/**
 * A short field (an id, a version, a title): as it is when it holds nothing
 * Markdown or HTML reads (letters, digits, spaces and . , _ + - ( ) : /, no "www."
 * or "://" that GitHub would link), in a code span otherwise.
 */
export function mdText(s: string, options: { cell?: boolean } = {}): string {
  return /^[A-Za-z0-9 .,_+():/-]*$/.test(s) && !/www\.|:\/\//i.test(s) && s.trim() === s
    ? s
    : mdCode(s, options);
}

/** HTML text or attribute value. */
export function htmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * XML 1.0 text or attribute value: only the characters XML 1.0 allows (§2.2: no
 * C0 control but tab and line breaks, no lone surrogate, no U+FFFE or U+FFFF; C1
 * controls are dropped too), then escaped. A CI reporter that meets one of the
 * others cannot read the file at all.
 */
export function xmlText(s: string): string {
  return htmlText(s.replace(/[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, ''));
}
