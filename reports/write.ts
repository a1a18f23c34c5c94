// Write a run's reports into a directory: results.json (the source of truth),
// junit.xml, report.md, report.html, and evidence/<registry>/<feature>.txt for
// every cell that is not a plain pass.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { evidencePath, needsEvidence, type Results } from './results.ts';

export async function writeReports(dir: string, r: Results): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {
    'results.json': `${JSON.stringify(r, null, 2)}\n`,
    'junit.xml': renderJunit(r),
    'report.md': renderMarkdown(r),
    'report.html': renderHtml(r),
  };
  for (const c of r.results) {
    if (!needsEvidence(c.status)) continue;
    files[evidencePath(c.registry, c.feature)] =
      `${c.registry} ${c.feature}: ${c.status}\n${c.detail}\n\n${(c.evidence ?? ['(no requests recorded)']).join('\n')}\n`;
  }
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return Object.keys(files);
}
