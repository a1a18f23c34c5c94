// results.json -> report.html (issue 15, 22): one self-contained page (no fetches, no
// fonts; one small inline script for the filters) that a vendor reads at a glance
// at 40 registries: first the summary (a row per registry: its defects, counts, a
// bar, its state and why), then the defects (one per root cause across registries,
// each registry with its evidence), the disagreements with the official suite and
// the errors by cause, then the matrix in
// collapsible groups with a sticky header row and feature column and the reason
// written in every cell that is not a pass, then the evidence of each such cell.

import { REQUIRED_ROWS } from '../suites/conformance/official/rows.ts';
import { htmlText } from './escape.ts';
import { needsEvidence, type Results, slug } from './results.ts';
import {
  certifiable,
  defectGroups,
  defectLink,
  failureGroups,
  formatSpread,
  GROUPS,
  groupOf,
  registrySummaries,
  STATUSES,
  THROUGHPUT_NOTE,
  throughput,
} from './summary.ts';

const esc = (s: string) => htmlText(String(s));

const COLOURS: Record<string, string> = {
  pass: '#dafbe1',
  fail: '#ffd7d5',
  unsupported: '#eaeef2',
  fallback: '#fff8c5',
  skip: '#ffffff',
  error: '#ff8182',
};

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:20px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.meta{color:#57606a;margin-bottom:12px}
table{border-collapse:separate;border-spacing:0}th,td{border:1px solid #d0d7de;border-width:0 1px 1px 0;padding:3px 6px;text-align:left;vertical-align:top}
#summary td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;width:220px;height:12px;border:1px solid #d0d7de}.bar span{display:block;height:100%}
.why{color:#57606a;font-size:12px;max-width:40em}
.setup-error td.reg,.setup-error .state{color:#cf222e;font-weight:600}.unavailable td.reg{color:#8c959f}
.pass{background:${COLOURS.pass}}.fail{background:${COLOURS.fail}}.unsupported{background:${COLOURS.unsupported};color:#57606a}
.fallback{background:${COLOURS.fallback}}.skip{background:${COLOURS.skip};color:#8c959f}.error{background:${COLOURS.error}}
.wrap{overflow:auto;max-height:78vh;border:1px solid #d0d7de;margin:4px 0 12px}
.matrix th{position:sticky;top:0;background:#f6f8fa;z-index:2;font-size:12px;white-space:nowrap;vertical-align:bottom}
.matrix th.feature,.matrix td.feature{position:sticky;left:0;z-index:1;background:#fff;font-family:ui-monospace,Menlo,monospace;font-size:12px;white-space:nowrap}
.matrix th.feature{z-index:3;background:#f6f8fa}
.matrix td.cell{min-width:90px;max-width:220px;font-size:12px}
.matrix td.cell b{font-weight:600}.matrix td.cell small{display:block;color:#424a53;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:210px}
.matrix td a{color:inherit;text-decoration:none;display:block}
details.group>summary{font-weight:600;cursor:pointer;margin:8px 0}
#failures li,#defects li{margin:6px 0}#failures .cells,#defects .cells{font-size:12px;color:#424a53}
#failures a,#defects a{color:#0969da}#defects .title{font-weight:600}#defects .spec{color:#57606a;font-size:12px}
#defects code,.ex{font-family:ui-monospace,Menlo,monospace;font-size:12px;background:#f6f8fa;padding:0 3px}
.lvl{display:inline-block;padding:0 6px;margin-right:6px;border:1px solid #d0d7de;font-size:11px;font-weight:600}.lvl.MUST{background:#ffd7d5}.lvl.SHOULD{background:#fff8c5}
td.n.defects{font-weight:700;color:#cf222e}td.cert{font-size:12px;white-space:nowrap}td.cert.ok{color:#1a7f37}td.cert.no{color:#cf222e}small.req{color:#0969da}
.matrix td.cell i{display:block;font-style:normal;font-size:11px;color:#8c1d18;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:210px}
.filters{margin:8px 0;padding:6px 8px;background:#f6f8fa;border:1px solid #d0d7de;display:flex;gap:16px;align-items:center}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border:1px solid #d0d7de;font-size:12px}
#evidence details{margin:4px 0;border:1px solid #d0d7de;padding:4px 8px}#evidence summary{cursor:pointer;font-family:ui-monospace,Menlo,monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-all;font-size:12px;background:#f6f8fa;padding:8px;margin:6px 0 0}
.hidden{display:none}
.nav{margin:8px 0;font-weight:600}.nav a{color:#0969da}
`;

// Filters: hide the matrix rows that hold no cell of the chosen status, and the
// registry columns whose id does not contain the text typed.
const SCRIPT = `
(function(){
  var st=document.getElementById('f-status'),rg=document.getElementById('f-registry');
  function apply(){
    var s=st.value,t=rg.value.toLowerCase();
    document.querySelectorAll('table.matrix').forEach(function(tb){
      var keep=[];tb.querySelectorAll('thead th[data-reg]').forEach(function(th,i){keep[i]=th.getAttribute('data-reg').toLowerCase().indexOf(t)>=0;th.classList.toggle('hidden',!keep[i]);});
      tb.querySelectorAll('tbody tr').forEach(function(tr){
        var cells=tr.querySelectorAll('td.cell'),show=s==='all';
        cells.forEach(function(td,i){td.classList.toggle('hidden',!keep[i]);if(keep[i]&&(s==='all'||(s==='notpass'?td.getAttribute('data-s')!=='pass':td.getAttribute('data-s')===s)))show=true;});
        tr.classList.toggle('hidden',!show);
      });
    });
  }
  st.addEventListener('change',apply);rg.addEventListener('input',apply);
})();
`;

export function renderHtml(r: Results): string {
  const cells = new Map(r.results.map((c) => [`${c.registry}\u0000${c.feature}`, c]));
  const evidenceId = (registry: string, feature: string) => `ev-${slug(registry)}-${slug(feature)}`;

  // 1. summary: a row per registry that ran or failed setup; those this machine
  // cannot provide share one row per reason, so the failures stay near the top
  const sums = registrySummaries(r);
  const cert = (id: string) => {
    const c = certifiable(r, id);
    if (!c) return '<td class="n"></td>';
    const modelled = c.modelled
      ? ' <small title="the profile\'s model on its backend, not measured on the service">(modelled)</small>'
      : '';
    return c.ok
      ? `<td class="cert ok">certifiable${modelled}</td>`
      : `<td class="cert no" title="${esc(c.failing.join(', '))}">not: ${c.failing.length} required${modelled}</td>`;
  };
  const row = ({ info, counts, total, defects }: (typeof sums)[number]) => {
    const bar = STATUSES.filter((s) => counts[s] > 0)
      .map(
        (s) =>
          `<span class="${s}" style="width:${((counts[s] / Math.max(1, total)) * 100).toFixed(1)}%" title="${counts[s]} ${s}"></span>`,
      )
      .join('');
    const state = info.state === 'ran' ? 'ran' : 'setup failed';
    const cls = info.state === 'error' ? 'setup-error' : '';
    return `<tr class="${cls}"><td class="reg">${esc(info.id)}</td><td>${esc(`${info.version}`)}</td><td class="state">${state}${info.reason ? `<div class="why">${esc(info.reason)}</div>` : ''}</td><td class="n${defects.length ? ' defects' : ''}">${defects.length ? `<a href="#defects-${slug(info.id)}">${defects.length}</a>` : '0'}</td>${cert(info.id)}${STATUSES.map((s) => `<td class="n${counts[s] && s !== 'pass' && s !== 'skip' ? ` ${s}` : ''}">${counts[s]}</td>`).join('')}<td><div class="bar">${bar}</div></td></tr>`;
  };
  const unavailable = new Map<string, string[]>();
  for (const { info } of sums)
    if (info.state === 'unavailable')
      unavailable.set(info.reason ?? '', [...(unavailable.get(info.reason ?? '') ?? []), info.id]);
  const summary = [
    ...sums.filter((x) => x.info.state !== 'unavailable').map(row),
    ...[...unavailable].map(
      ([why, ids]) =>
        `<tr class="unavailable"><td class="reg" colspan="2">${ids.length} not run here: ${esc(ids.join(', '))}</td><td class="state" colspan="${STATUSES.length + 4}">unavailable<div class="why">${esc(why)}</div></td></tr>`,
    ),
  ].join('\n');
  const tp = throughput(r);

  // 2. defects, one per root cause across registries; then disagreements and errors
  const dg = defectGroups(r);
  const defects = dg.length
    ? `<p class="meta">${r.defects.length} defects on ${new Set(r.defects.map((d) => d.registry)).size} registries, ${dg.length} root causes: each is one cause on one registry, with the cells it fails.</p><ol id="defects">${dg
        .map(
          (g) =>
            `<li><span class="lvl ${esc(g.level)}">${esc(g.level)}</span><span class="title">${esc(g.title)}</span> <code>${esc(g.id)}</code> · ${g.defects.length} registr${g.defects.length === 1 ? 'y' : 'ies'}<div class="spec">${esc(g.spec)}${g.clients ? ` · breaks ${esc(g.clients.join(', '))}` : ''}</div><div class="ex">${esc(g.example)}</div><div class="cells">${g.defects
              .map(
                (d) =>
                  `<a href="${esc(defectLink(d))}" title="${esc(d.rows.join(', '))}">${esc(d.registry)}</a> (${d.rows.length} cell${d.rows.length === 1 ? '' : 's'})`,
              )
              .join(', ')}</div></li>`,
        )
        .join('\n')}</ol>`
    : '<p id="defects">No defect: no check failed on any registry.</p>';
  // a registry's own defects, linked from its summary row
  const perRegistry = sums
    .filter((x) => x.defects.length)
    .map(
      (x) =>
        `<details id="defects-${slug(x.info.id)}"><summary>${esc(x.info.id)}: ${x.defects.length} defects</summary><ul>${x.defects
          .map(
            (d) =>
              `<li><code>${esc(d.id)}</code> ${esc(d.title)} (${esc(d.level)}) · <a href="${esc(defectLink(d))}">evidence</a><pre>${esc(d.evidence.join('\n') || d.detail)}</pre><div class="cells">fails ${esc(d.rows.join(', '))}${d.cases.length ? `; the official suite's cases ${esc(d.cases.slice(0, 8).join(', '))}${d.cases.length > 8 ? ` and ${d.cases.length - 8} more` : ''}` : ''}</div></li>`,
          )
          .join('')}</ul></details>`,
    )
    .join('\n');
  const disagreements = r.disagreements.length
    ? `<h2 id="disagreements">Disagreements with the official OCI suite</h2><p class="meta">The same test case, opposite verdicts: one of the two is wrong about the registry.</p><ul>${r.disagreements
        .map(
          (x) =>
            `<li>${esc(x.registry)}: the suite's case <code>${esc(x.case)}</code> ${esc(x.officialStatus)}, ocicat's <a href="#${evidenceId(x.registry, x.feature)}">${esc(x.feature)}</a> ${esc(x.ocicatStatus)}</li>`,
        )
        .join('')}</ul>`
    : '';
  const groups = failureGroups(r);
  const failures = groups.length
    ? `<ol id="failures">${groups
        .map(
          (g) =>
            `<li><span class="legend"><span class="${g.status}">${g.status} × ${g.cells.length}</span></span> ${esc(g.example)}<div class="cells">${g.cells
              .map(
                (c) =>
                  `<a href="#${evidenceId(c.registry, c.feature)}">${esc(c.registry)} · ${esc(c.feature)}</a>`,
              )
              .join(', ')}</div></li>`,
        )
        .join('\n')}</ol>`
    : '<p id="failures">No cell errored.</p>';

  // 3. matrix, in groups
  const regs = r.registries;
  const head = regs
    .map(
      (g) =>
        `<th data-reg="${esc(g.id)}" title="${esc(`${g.title} ${g.version} · ${g.provider} · ${g.auth}${g.reason ? ` · ${g.reason}` : ''}`)}">${esc(g.id)}</th>`,
    )
    .join('');
  const matrix = GROUPS.concat([{ name: 'Other', areas: [] }])
    .map(({ name }) => {
      const features = r.features.filter((f) => groupOf(f.area) === name);
      if (!features.length) return '';
      const rows = features
        .map((f) => {
          const tds = regs
            .map((g) => {
              const c = cells.get(`${g.id}\u0000${f.id}`);
              if (!c) return '<td class="cell" data-s="none"></td>';
              const named = [...(c.defects ?? []), ...(c.lacks ?? []).map((f) => `lacks ${f}`)];
              const reason =
                c.status === 'pass'
                  ? ''
                  : `${named.length ? `<i>${esc(named.join(', '))}</i>` : ''}<small>${esc(c.detail)}</small>`;
              const body = `<b>${c.status}</b>${reason}`;
              return `<td class="cell ${c.status}" data-s="${c.status}" title="${esc(`${c.status}: ${c.detail}`)}">${needsEvidence(c.status) ? `<a href="#${evidenceId(g.id, f.id)}">${body}</a>` : body}</td>`;
            })
            .join('');
          return `<tr><td class="feature" title="${esc(f.title)}">${esc(f.id)}${f.optional ? ' <small>(optional)</small>' : ''}${REQUIRED_ROWS.has(f.id) ? ' <small class="req">(required)</small>' : ''}</td>${tds}</tr>`;
        })
        .join('\n');
      const bad = r.results.filter(
        (c) => (c.status === 'fail' || c.status === 'error') && features.some((f) => f.id === c.feature),
      ).length;
      return `<details class="group" open><summary>${esc(name)} (${features.length} features${bad ? `, ${bad} fail or error` : ''})</summary>
<div class="wrap"><table class="matrix"><thead><tr><th class="feature">feature \\ registry</th>${head}</tr></thead><tbody>
${rows}
</tbody></table></div></details>`;
    })
    .join('\n');

  // 4. evidence
  const evidence = r.results
    .filter((c) => needsEvidence(c.status))
    .map(
      (c) =>
        `<details id="${evidenceId(c.registry, c.feature)}"><summary>${esc(c.registry)} · ${esc(c.feature)} · ${c.status}</summary><div>${esc(c.detail)}</div><pre>${esc((c.evidence ?? ['(no requests recorded)']).join('\n'))}</pre></details>`,
    )
    .join('\n');

  const count = (s: string) => r.results.filter((x) => x.status === s).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ocicat conformance ${esc(r.run.id)}</title><style>${CSS}</style></head>
<body>
<h1>ocicat conformance</h1>
<div class="meta">run ${esc(r.run.id)} · ${esc(r.run.startedAt)} · ${(r.run.durationMs / 1000).toFixed(1)} s · ocicat ${esc(r.run.ocicat)} · ${regs.length} registries · ${r.features.length} features ·
${STATUSES.map((s) => `${count(s)} ${s}`).join(', ')}</div>
<div class="legend"><span class="pass">pass</span><span class="fail">fail: the registry is wrong</span><span class="unsupported">unsupported: optional, lacking</span><span class="fallback">fallback</span><span class="skip">skip: not measured here</span><span class="error">error: the harness broke, or setup failed</span></div>
<p class="nav"><a href="#defects">${r.defects.length} defects ↓</a> · ${r.disagreements.length ? `<a href="#disagreements">${r.disagreements.length} disagreements ↓</a> · ` : ''}<a href="#failures">${groups.reduce((a, g) => a + g.cells.length, 0)} errors ↓</a> · <a href="#matrices">matrix ↓</a> · <a href="#evidence">evidence ↓</a></p>
<h2>Summary</h2>
<table id="summary"><thead><tr><th>registry</th><th>version</th><th>state</th><th>defects</th><th title="the official suite's required rows: the OCI conformance program's certification">OCI 1.1</th>${STATUSES.map((s) => `<th>${s}</th>`).join('')}<th></th></tr></thead><tbody>
${summary}
</tbody></table>
${tp.push && tp.pull ? `<p class="meta">Throughput: push ${formatSpread(tp.push)}, pull ${formatSpread(tp.pull)}; ${THROUGHPUT_NOTE}.</p>` : ''}
<h2>Defects</h2>
${defects}
${perRegistry}
${disagreements}
<h2>Errors by cause</h2>
${failures}
<h2 id="matrices">Matrix</h2>
<div class="filters"><label>rows with <select id="f-status"><option value="all">any status</option><option value="notpass">anything but pass</option>${STATUSES.map((s) => `<option value="${s}">${s}</option>`).join('')}</select></label><label>registries containing <input id="f-registry" type="search" placeholder="e.g. distribution3"></label></div>
${matrix}
<h2>Evidence</h2>
<div id="evidence"><p class="meta">The requests and answers that decided each cell that is not a plain pass (secrets redacted).</p>
${evidence || '<p>None: every cell passed.</p>'}</div>
<script>${SCRIPT}</script>
</body></html>
`;
}
