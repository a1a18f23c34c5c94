// results.json -> report.md: the run, a summary per registry (with throughput),
// and the matrix (feature x registry). Cells that are not a plain pass link to
// their evidence file.
import { cellOf, evidencePath, needsEvidence, type Results } from './results.ts';

export const SYMBOL: Record<string, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  unsupported: '➖ unsupported',
  fallback: '🔁 fallback',
  skip: '⏭ skip',
  error: '💥 error',
};

const mdEsc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: Results): string {
  const lines: string[] = [];
  lines.push('# ocicat conformance report', '');
  lines.push(
    `Run \`${r.run.id}\`: ${r.run.startedAt} to ${r.run.finishedAt} (${(r.run.durationMs / 1000).toFixed(1)} s), ocicat ${r.run.ocicat}, Node ${r.run.node}, ${r.run.platform}.${r.run.shards ? ` Merged from ${r.run.shards.length} shards.` : ''}`,
    '',
  );
  lines.push('## Registries', '');
  lines.push(
    '| registry | version | provider | auth | pass | fail | unsupported | fallback | skip | error | push MiB/s | pull MiB/s |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const reg of r.registries) {
    const rows = r.results.filter((x) => x.registry === reg.id);
    const c = (s: string) => rows.filter((x) => x.status === s).length;
    const tp = reg.throughput;
    const name = reg.state === 'ran' ? reg.id : `${reg.id} (${reg.state}: ${mdEsc(reg.reason ?? '')})`;
    lines.push(
      `| ${name} | ${reg.version} | ${reg.provider}${reg.profile ? ` (${reg.profile} profile)` : ''} | ${reg.auth} | ${c('pass')} | ${c('fail')} | ${c('unsupported')} | ${c('fallback')} | ${c('skip')} | ${c('error')} | ${tp ? tp.pushMiBps.toFixed(0) : ''} | ${tp ? tp.pullMiBps.toFixed(0) : ''} |`,
    );
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
        `- ${x.registry}: \`${x.feature}\` ${x.status}, ocicat's \`${x.disagrees!.feature}\` ${x.disagrees!.status} ([evidence](${evidencePath(x.registry, x.feature)}))`,
      );
  }
  if (explained.length)
    lines.push(
      '',
      `${explained.length} more official rows fail where a broader ocicat check passes, each only through test cases that a narrower ocicat check also fails (${[...new Set(explained.flatMap((x) => x.disagrees!.explainedBy!))].map((f) => `\`${f}\``).join(', ')}): not disagreements.`,
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
        lines.push(`- ${x.id}: \`${mdEsc(ref)}\``);
  }
  lines.push('', '## Matrix', '');
  const regs = r.registries.map((x) => x.id);
  lines.push(`| feature | ${regs.map(mdEsc).join(' | ')} |`);
  lines.push(`|---|${regs.map(() => '---').join('|')}|`);
  const row = (f: Results['features'][number]) => {
    const cells = regs.map((reg) => {
      const c = cellOf(r, reg, f.id);
      if (!c) return '';
      const label = SYMBOL[c.status] ?? c.status;
      return needsEvidence(c.status)
        ? `[${label}](${evidencePath(reg, f.id)} "${mdEsc(c.detail).replace(/"/g, "'")}")`
        : label;
    });
    return `| \`${f.id}\`${f.optional ? ' (optional)' : ''} | ${cells.join(' | ')} |`;
  };
  const divider = `|---|${regs.map(() => '---').join('|')}|`;
  const faults = r.features.filter((f) => f.area === 'faults');
  lines.push(...r.features.filter((f) => f.area !== 'faults').map(row));
  if (faults.length) {
    lines.push(
      '',
      '## Fault scenarios',
      '',
      'A fault proxy in front of each registry; a scenario passes when the operation completes with the right digest, or fails with one clear line leaving no partial artifact in the cache or the remote, and a retry succeeds.',
      '',
    );
    lines.push(`| scenario | ${regs.map(mdEsc).join(' | ')} |`, divider);
    lines.push(...faults.map(row));
  }
  lines.push('', '## Features', '');
  for (const f of r.features)
    lines.push(`- \`${f.id}\` (${f.area}${f.optional ? ', optional' : ''}): ${f.title}`);
  lines.push(
    '',
    'Statuses: pass; fail (the registry is wrong); unsupported (an optional feature the registry lacks, measured); fallback (passed through the fallback path); skip (not measured here, with the reason); error (the harness broke).',
    '',
  );
  return `${lines.join('\n')}\n`;
}
