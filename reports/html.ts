// results.json -> report.html: one self-contained page (no scripts, no fonts, no
// fetches) readable offline. The registry x feature matrix is coloured by status;
// each registry column shows its push and pull throughput; every cell that is
// not a plain pass links to its evidence, embedded below the matrix.
import { cellOf, needsEvidence, type Results, slug } from './results.ts';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#57606a;margin-bottom:16px}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:center;white-space:nowrap}
th.feature,td.feature{text-align:left;font-family:ui-monospace,Menlo,monospace;font-size:12px}
thead th{background:#f6f8fa;font-size:12px;vertical-align:bottom}
thead th .tp{display:block;font-weight:normal;color:#57606a}
td a{color:inherit;text-decoration:none;display:block}
.pass{background:#dafbe1}.fail{background:#ffd7d5;font-weight:600}.unsupported{background:#eaeef2;color:#57606a}
.fallback{background:#fff8c5}.skip{background:#fff;color:#8c959f}.error{background:#ff8182;font-weight:600}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #d0d7de}
details{margin:6px 0;border:1px solid #d0d7de;padding:6px}summary{cursor:pointer;font-family:ui-monospace,Menlo,monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-all;font-size:12px;background:#f6f8fa;padding:8px;margin:6px 0 0}
.unavailable{color:#8c959f}
.setup-error{color:#cf222e}
.why{display:block;font-weight:normal;font-size:11px;max-width:28em;white-space:normal}
`;

export function renderHtml(r: Results): string {
  const regs = r.registries;
  const head = regs
    .map((g) => {
      const tp = g.throughput
        ? `<span class="tp">↑${g.throughput.pushMiBps.toFixed(0)} ↓${g.throughput.pullMiBps.toFixed(0)} MiB/s</span>`
        : '';
      const cls =
        g.state === 'unavailable'
          ? ' class="unavailable"'
          : g.state === 'error'
            ? ' class="setup-error"'
            : '';
      // a registry that could not be set up says why in plain sight, not in a tooltip
      const why = g.state === 'error' ? `<span class="why">setup failed: ${esc(g.reason ?? '')}</span>` : '';
      return `<th${cls} title="${esc(`${g.title} ${g.version} · ${g.provider} · ${g.auth}${g.reason ? ` · ${g.reason}` : ''}`)}">${esc(g.id)}${tp}${why}</th>`;
    })
    .join('');
  const rows = r.features
    .map((f) => {
      const cells = regs
        .map((g) => {
          const c = cellOf(r, g.id, f.id);
          if (!c) return '<td></td>';
          const title = esc(`${c.status}: ${c.detail}`);
          const label = c.status;
          const inner = needsEvidence(c.status)
            ? `<a href="#ev-${slug(g.id)}-${slug(f.id)}">${label}</a>`
            : label;
          return `<td class="${c.status}" title="${title}">${inner}</td>`;
        })
        .join('');
      return `<tr><td class="feature" title="${esc(f.title)}">${esc(f.id)}${f.optional ? ' <small>(opt)</small>' : ''}</td>${cells}</tr>`;
    })
    .join('\n');
  const evidence = r.results
    .filter((c) => needsEvidence(c.status))
    .map(
      (c) =>
        `<details id="ev-${slug(c.registry)}-${slug(c.feature)}"><summary>${esc(c.registry)} · ${esc(c.feature)} · ${c.status}</summary><div>${esc(c.detail)}</div><pre>${esc((c.evidence ?? ['(no requests recorded)']).join('\n'))}</pre></details>`,
    )
    .join('\n');
  const count = (s: string) => r.results.filter((x) => x.status === s).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ocicat conformance ${esc(r.run.id)}</title><style>${CSS}</style></head>
<body>
<h1>ocicat conformance</h1>
<div class="meta">run ${esc(r.run.id)} · ${esc(r.run.startedAt)} · ${(r.run.durationMs / 1000).toFixed(1)} s · ocicat ${esc(r.run.ocicat)} · ${regs.length} registries · ${r.features.length} features ·
${count('pass')} pass, ${count('fail')} fail, ${count('unsupported')} unsupported, ${count('fallback')} fallback, ${count('skip')} skip, ${count('error')} error</div>
<div class="legend"><span class="pass">pass</span><span class="fail">fail: the registry is wrong</span><span class="unsupported">unsupported: optional, lacking</span><span class="fallback">fallback</span><span class="skip">skip: not measured here</span><span class="error">error: the harness broke</span></div>
<h2>Matrix</h2>
<table id="matrix"><thead><tr><th class="feature">feature \\ registry</th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Evidence</h2>
<p class="meta">The requests and answers that decided each cell that is not a plain pass (secrets redacted).</p>
${evidence || '<p>None: every cell passed.</p>'}
</body></html>
`;
}
