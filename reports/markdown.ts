// results.json -> report.md (issue 15): the summary (a row per registry), the
// failures grouped by root cause, then one section per registry with every cell
// that is not a plain pass and its reason: no table is wider than a registry's
// own, whatever the number of registries. Non-pass cells link to their evidence.
import { mdCode, mdText } from './escape.ts';
import { evidencePath, needsEvidence, type Results } from './results.ts';
import {
  failureGroups,
  formatSpread,
  registrySummaries,
  STATUSES,
  THROUGHPUT_NOTE,
  throughput,
} from './summary.ts';

export const SYMBOL: Record<string, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  unsupported: '➖ unsupported',
  fallback: '🔁 fallback',
  skip: '⏭ skip',
  error: '💥 error',
};

const cell = (s: string) => mdCode(s, { cell: true });
const short = (s: string) => mdText(s, { cell: true });

export function renderMarkdown(r: Results): string {
  const lines: string[] = [];
  const link = (c: { registry: string; feature: string; status: string }, label: string) =>
    needsEvidence(c.status as Results['results'][number]['status'])
      ? `[${label}](${evidencePath(c.registry, c.feature)})`
      : label;
  lines.push('# ocicat conformance report', '');
  lines.push(
    `Run ${mdCode(r.run.id)}: ${mdText(r.run.startedAt)} to ${mdText(r.run.finishedAt)} (${(r.run.durationMs / 1000).toFixed(1)} s), ocicat ${mdText(r.run.ocicat)}, Node ${mdText(r.run.node)}, ${mdText(r.run.platform)}.${r.run.shards ? ` Merged from ${r.run.shards.length} shards.` : ''}`,
    '',
  );
  // 1. the summary: a row per registry, with why it did not run where it did not
  lines.push('## Summary', '');
  lines.push(
    '| registry | version | provider | auth | state | pass | fail | unsupported | fallback | skip | error |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { info, counts } of registrySummaries(r)) {
    lines.push(
      `| [${short(info.id)}](#${anchor(info.id)}) | ${short(String(info.version))} | ${short(info.provider)}${info.profile ? ` (${short(info.profile)} profile)` : ''} | ${short(info.auth)} | ${info.state === 'ran' ? 'ran' : `${short(info.state)}: ${cell(info.reason ?? '')}`} | ${STATUSES.slice(
        0,
        6,
      )
        .map((s) => counts[s])
        .join(' | ')} |`,
    );
  }
  const tp = throughput(r);
  if (tp.push && tp.pull)
    lines.push(
      '',
      `Throughput: push ${formatSpread(tp.push)}, pull ${formatSpread(tp.pull)}; ${THROUGHPUT_NOTE}.`,
    );
  // 2. the failures, one line per root cause
  const groups = failureGroups(r);
  lines.push('', '## Failures by cause', '');
  if (!groups.length) lines.push('No cell failed or errored.');
  for (const g of groups) {
    lines.push(`- ${SYMBOL[g.status] ?? mdCode(g.status)} × ${g.cells.length}: ${mdCode(g.example)}`);
    lines.push(`  - ${g.cells.map((c) => `${mdText(c.registry)} ${link(c, mdCode(c.feature))}`).join(', ')}`);
  }
  const disagreements = r.results.filter((x) => x.disagrees && !x.disagrees.explainedBy);
  const explained = r.results.filter((x) => x.disagrees?.explainedBy);
  if (disagreements.length) {
    lines.push('', '## Disagreements with the official OCI suite', '');
    lines.push(
      'Where the official suite and ocicat check the same point and reach opposite verdicts; one of them is wrong about the registry:',
      '',
    );
    for (const x of disagreements)
      lines.push(
        `- ${mdText(x.registry)}: ${mdCode(x.feature)} ${mdText(x.status)}, ocicat's ${mdCode(x.disagrees!.feature)} ${mdText(x.disagrees!.status)} ([evidence](${evidencePath(x.registry, x.feature)}))`,
      );
  }
  if (explained.length)
    lines.push(
      '',
      `${explained.length} official rows fail where a broader ocicat check passes, each only through test cases that a narrower ocicat check also fails (${[...new Set(explained.flatMap((x) => x.disagrees!.explainedBy!))].map((f) => mdCode(f)).join(', ')}): not disagreements.`,
    );
  const residue = r.registries.filter(
    (x) => x.cleanup && x.cleanup.refused.length + x.cleanup.left.length > 0,
  );
  if (residue.length) {
    lines.push('', '## Left on the registries', '');
    lines.push(
      'What the run pushed and could not delete (the registry refused, or kept it after saying it deleted it):',
      '',
    );
    for (const x of residue)
      for (const ref of [...x.cleanup!.refused, ...x.cleanup!.left.map((l) => `${l} (still there)`)])
        lines.push(`- ${mdText(x.id)}: ${mdCode(ref)}`);
  }
  // 3. one section per registry: every cell that is not a plain pass, with its reason
  const byRegistry = new Map<string, Results['results']>();
  for (const c of r.results) byRegistry.set(c.registry, [...(byRegistry.get(c.registry) ?? []), c]);
  const feature = new Map(r.features.map((f) => [f.id, f]));
  for (const { info, counts } of registrySummaries(r)) {
    lines.push('', `## ${mdText(info.id)}`, '');
    lines.push(
      `${mdText(info.title)} ${mdText(String(info.version))}, ${mdText(info.provider)}, ${mdText(info.auth)}${info.state === 'ran' ? '' : `; ${mdText(info.state)}: ${mdCode(info.reason ?? '')}`}. ${STATUSES.map((s) => `${counts[s]} ${s}`).join(', ')}.`,
      '',
    );
    const cells = byRegistry.get(info.id) ?? [];
    const others = cells.filter((c) => c.status !== 'pass');
    if (others.length) {
      lines.push('| feature | status | reason |', '|---|---|---|');
      for (const c of others)
        lines.push(
          `| ${cell(c.feature)}${feature.get(c.feature)?.optional ? ' (optional)' : ''} | ${link(c, SYMBOL[c.status] ?? cell(c.status))} | ${cell(c.detail)} |`,
        );
    }
    const passed = cells.filter((c) => c.status === 'pass').map((c) => mdCode(c.feature));
    if (passed.length) lines.push('', `Passed: ${passed.join(', ')}.`);
  }
  lines.push('', '## Features', '');
  for (const f of r.features)
    lines.push(`- ${mdCode(f.id)} (${mdText(f.area)}${f.optional ? ', optional' : ''}): ${mdText(f.title)}`);
  lines.push(
    '',
    'Statuses: pass; fail (the registry is wrong); unsupported (an optional feature the registry lacks, measured); fallback (passed through the fallback path); skip (not measured here, with the reason); error (the harness broke, or the registry could not be set up).',
    '',
  );
  return `${lines.join('\n')}\n`;
}

/** GitHub's heading anchor for a registry section. */
function anchor(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}
