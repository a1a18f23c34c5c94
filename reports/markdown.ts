// results.json -> report.md (issue 15, 22): the summary (a row per registry, its
// defects counted), the defects (one entry per root cause across registries), the
// disagreements with the official suite, then one section per registry with its
// defects and every cell that is not a plain pass, naming the defect behind it: no
// table is wider than a registry's own, whatever the number of registries.
// Non-pass cells link to their evidence.
import { REQUIRED_ROWS } from '../suites/conformance/official/rows.ts';
import { mdCode, mdText } from './escape.ts';
import { evidencePath, needsEvidence, officialDir, type Results } from './results.ts';
import {
  certifiable,
  defectGroups,
  defectLink,
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
    '| registry | version | provider | auth | state | defects | OCI 1.1 | pass | fail | unsupported | fallback | skip | error |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { info, counts, defects } of registrySummaries(r)) {
    lines.push(
      `| [${short(info.id)}](#${anchor(info.id)}) | ${short(String(info.version))} | ${short(info.provider)}${info.profile ? ` (${short(info.profile)} profile)` : ''} | ${short(info.auth)} | ${info.state === 'ran' ? 'ran' : `${short(info.state)}: ${cell(info.reason ?? '')}`} | ${defects.length} | ${certText(r, info.id)} | ${STATUSES.slice(
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
  // 2. the defects, one entry per root cause across registries
  const dg = defectGroups(r);
  lines.push('', '## Defects', '');
  if (!dg.length) lines.push('No defect: no check failed on any registry.');
  else
    lines.push(
      `${r.defects.length} defects on ${new Set(r.defects.map((d) => d.registry)).size} registries, ${dg.length} root causes. Each is one cause on one registry, with the cells it fails (its own check's and the official suite's rows failing through it).`,
      '',
    );
  for (const g of dg) {
    const regs = g.defects.map(
      (d) =>
        `${mdText(d.registry)} ([evidence](${defectLink(d)}); ${d.rows.length} cell${d.rows.length === 1 ? '' : 's'})`,
    );
    lines.push(
      `- **${mdText(g.title)}** ${mdCode(g.id)}: ${g.defects.length} registr${g.defects.length === 1 ? 'y' : 'ies'}; ${mdText(g.level)}, ${mdText(g.spec)}${g.clients ? `; breaks ${g.clients.map((c) => mdText(c)).join(', ')}` : ''}`,
    );
    lines.push(`  - ${mdCode(g.example)}`);
    lines.push(`  - ${regs.join(', ')}`);
  }
  const lacking = r.results.filter((x) => x.status === 'fail' && x.lacks?.length && !x.defects?.length);
  if (lacking.length)
    lines.push(
      '',
      `${lacking.length} official rows fail only through test cases that need a capability ocicat measured the registry lacks (${[...new Set(lacking.flatMap((x) => x.lacks!))].map((f) => mdCode(f)).join(', ')} unsupported): not defects.`,
    );
  if (r.disagreements.length) {
    lines.push('', '## Disagreements with the official OCI suite', '');
    lines.push('The same test case, opposite verdicts: one of the two is wrong about the registry.', '');
    for (const x of r.disagreements)
      lines.push(
        `- ${mdText(x.registry)}: the suite's case ${mdCode(x.case)} ${mdText(x.officialStatus)} ([report](${officialDir(x.registry)}/report.html)), ocicat's ${mdCode(x.feature)} ${mdText(x.ocicatStatus)} ([evidence](${evidencePath(x.registry, x.feature)}))`,
      );
  }
  const groups = failureGroups(r);
  if (groups.length) {
    lines.push('', '## Errors by cause', '');
    lines.push(
      'Cells the run could not measure (the harness broke, or the registry could not be set up):',
      '',
    );
  }
  for (const g of groups) {
    lines.push(`- ${SYMBOL[g.status] ?? mdCode(g.status)} × ${g.cells.length}: ${mdCode(g.example)}`);
    lines.push(`  - ${g.cells.map((c) => `${mdText(c.registry)} ${link(c, mdCode(c.feature))}`).join(', ')}`);
  }
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
    const cert = certifiable(r, info.id);
    if (cert && !cert.ok)
      lines.push(
        `Not certifiable for OCI distribution-spec 1.1: the official suite's required rows ${cert.failing.map((f) => mdCode(f)).join(', ')} do not pass.`,
        '',
      );
    else if (cert)
      lines.push("Certifiable for OCI distribution-spec 1.1: the official suite's required rows pass.", '');
    const own = r.defects.filter((d) => d.registry === info.id);
    if (own.length) {
      lines.push(`Defects (${own.length}):`, '');
      for (const d of own)
        lines.push(
          `- ${mdCode(d.id)}: ${mdText(d.title)} (${mdText(d.level)}); [evidence](${defectLink(d)}); fails ${d.rows.map((x) => mdCode(x)).join(', ')}`,
        );
      lines.push('');
    }
    const cells = byRegistry.get(info.id) ?? [];
    const others = cells.filter((c) => c.status !== 'pass');
    if (others.length) {
      lines.push('| feature | status | defect | reason |', '|---|---|---|---|');
      for (const c of others)
        lines.push(
          `| ${cell(c.feature)}${feature.get(c.feature)?.optional ? ' (optional)' : ''}${REQUIRED_ROWS.has(c.feature) ? ' (required)' : ''} | ${link(c, SYMBOL[c.status] ?? cell(c.status))} | ${behind(c)} | ${cell(c.detail)} |`,
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

/** The summary's "OCI 1.1" cell: the official suite's required rows (the program's certification). */
function certText(r: Results, registry: string): string {
  const c = certifiable(r, registry);
  if (!c) return '';
  const said = c.ok ? 'certifiable' : `not certifiable: ${c.failing.length} required rows fail`;
  return c.modelled ? `${said} (modelled)` : said;
}

/** What is behind a non-pass cell: its defects, or the capability the registry lacks. */
function behind(c: Results['results'][number]): string {
  const parts = [...(c.defects ?? []).map((d) => cell(d)), ...(c.lacks ?? []).map((f) => `lacks ${cell(f)}`)];
  return parts.join(', ');
}

/** GitHub's heading anchor for a registry section. */
function anchor(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}
