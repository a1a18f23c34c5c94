// history.json -> history.html (issue 26): testgrid-like, self-contained. On top
// the summary (regressions, fixes, flaky cells, upgrades, defects opened and
// closed); then one group per registry, features as rows, runs as columns, a
// colour per status, flaky rows marked, and a filter that keeps the rows that
// changed in the last N runs. A cell links to that run's evidence where the run's
// folder was given.
import { relative } from 'node:path';
import { htmlText } from './escape.ts';
import type { History, HistoryCell } from './history.ts';
import { evidencePath, needsEvidence, type Status } from './results.ts';

const esc = (s: string) => htmlText(String(s));
const LETTER: Record<Status, string> = {
  pass: 'p',
  fail: 'f',
  unsupported: 'u',
  fallback: 'b',
  skip: 's',
  error: 'e',
};

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:20px;color:#1b1f24}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:20px 0 8px}.meta{color:#57606a}
.sum{display:flex;gap:12px;margin:10px 0}.sum div{border:1px solid #d0d7de;padding:6px 12px}.sum b{font-size:20px;display:block}
.sum .bad b{color:#cf222e}.sum .flk b{color:#9a6700}.sum .ok b{color:#1a7f37}
table{border-collapse:collapse}td,th{border:1px solid #fff;padding:0;height:16px}
th.run{font-size:10px;writing-mode:vertical-rl;transform:rotate(180deg);padding:2px;color:#57606a;font-weight:400;white-space:nowrap;height:64px}
td.ft{font-family:ui-monospace,Menlo,monospace;font-size:12px;padding:0 8px 0 0;white-space:nowrap;border:0}
td.c{width:14px;min-width:14px}td.c a{display:block;width:100%;height:100%}
.p{background:#2da44e}.f{background:#cf222e}.e{background:#8250df}.u{background:#afb8c1}.b{background:#d4a72c}.s{background:#eaeef2}.n{background:#fff}
tr.flaky td.ft::after{content:" ⚑ flaky";color:#9a6700;font-family:system-ui}
tr.regression td.ft::after{content:" ▼ regression";color:#cf222e;font-family:system-ui}
tr.fix td.ft::after{content:" ▲ fix";color:#1a7f37;font-family:system-ui}
tr.upgrade td.ft::after{content:" ⇡ upgrade";color:#57606a;font-family:system-ui}
details{margin:6px 0}summary{font-weight:600;cursor:pointer}
.filters{margin:8px 0;padding:6px 8px;background:#f6f8fa;border:1px solid #d0d7de}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:middle}
.hidden{display:none}ul{margin:4px 0}
`;

// keep the rows whose status changed within the last N runs (0: every row)
const SCRIPT = `
(function(){
  var n=document.getElementById('f-last');
  function apply(){
    var k=parseInt(n.value,10)||0;
    document.querySelectorAll('tr[data-s]').forEach(function(tr){
      var s=tr.getAttribute('data-s').split(''),t=s.slice(-k-1).filter(function(x){return x!=='n';}),ch=false;
      for(var i=1;i<t.length;i++)if(t[i]!==t[i-1])ch=true;
      tr.classList.toggle('hidden',k>0&&!ch);
    });
  }
  n.addEventListener('input',apply);
})();
`;

export function renderHistoryHtml(h: History, outDir: string): string {
  const of = (k: HistoryCell['kind']) => h.cells.filter((c) => c.kind === k);
  const lastId = h.runs.at(-1)?.id;
  const opened = h.runs.length > 1 ? h.defects.filter((d) => d.first === lastId) : [];
  const closed = h.defects.filter((d) => !d.open);
  const head = h.runs
    .map(
      (r) =>
        `<th class="run" title="${esc(`${r.id} · ${r.started} · ocicat ${r.ocicat}`)}">${esc(r.started.slice(0, 10))}</th>`,
    )
    .join('');
  const link = (runIndex: number, registry: string, feature: string, st: Status) => {
    const folder = h.runs[runIndex]!.folder;
    return folder && needsEvidence(st)
      ? `${relative(outDir, folder)}/${evidencePath(registry, feature)}`
      : undefined;
  };
  const byRegistry = new Map<string, HistoryCell[]>();
  for (const c of h.cells) byRegistry.set(c.registry, [...(byRegistry.get(c.registry) ?? []), c]);
  const groups = [...byRegistry]
    .map(([registry, cells]) => {
      const changed = cells.filter((c) => c.kind !== 'stable').length;
      const rows = cells
        .map((c) => {
          const tds = c.statuses
            .map((st, i) => {
              if (st === null) return '<td class="c n"></td>';
              const href = link(i, registry, c.feature, st);
              const title = esc(
                `${h.runs[i]!.id}: ${st}${h.runs[i]!.registries[registry] ? ` (${h.runs[i]!.registries[registry]})` : ''}`,
              );
              return `<td class="c ${LETTER[st]}" title="${title}">${href ? `<a href="${esc(href)}"></a>` : ''}</td>`;
            })
            .join('');
          const s = c.statuses.map((st) => (st ? LETTER[st] : 'n')).join('');
          return `<tr class="${c.kind}" data-s="${s}"><td class="ft">${esc(c.feature)}</td>${tds}</tr>`;
        })
        .join('\n');
      return `<details${changed ? ' open' : ''}><summary>${esc(registry)} (${cells.length} features${changed ? `, ${changed} changed` : ''})</summary>
<table><thead><tr><th></th>${head}</tr></thead><tbody>
${rows}
</tbody></table></details>`;
    })
    .join('\n');
  const list = (title: string, cells: HistoryCell[]) =>
    cells.length
      ? `<h2>${title}</h2><ul>${cells
          .slice(0, 100)
          .map(
            (c) =>
              `<li>${esc(c.registry)} <code>${esc(c.feature)}</code>${c.firstFailed ? ` failing since ${esc(c.firstFailed)}` : ''}${c.lastPassed ? `, last passed ${esc(c.lastPassed)}` : ''}</li>`,
          )
          .join('')}</ul>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ocicat history</title><style>${CSS}</style></head><body>
<h1>ocicat conformance history</h1>
<div class="meta">${h.runs.length} runs, ${esc(h.runs[0]?.started ?? '')} to ${esc(h.runs.at(-1)?.started ?? '')}; ${byRegistry.size} registries, ${h.cells.length} cells</div>
<div class="sum" id="summary"><div class="bad"><b>${of('regression').length}</b>regressions</div><div class="ok"><b>${of('fix').length}</b>fixes</div><div class="flk"><b>${of('flaky').length}</b>flaky cells</div><div><b>${of('upgrade').length}</b>with a registry upgrade</div><div class="bad"><b>${opened.length}</b>defects opened</div><div class="ok"><b>${closed.length}</b>defects closed</div></div>
${list('Regressions', of('regression'))}
${list('Flaky', of('flaky'))}
${list('Fixes', of('fix'))}
<div class="filters"><label>rows that changed in the last <input id="f-last" type="number" min="0" value="0" style="width:4em"> runs (0: all)</label>
<span class="legend"><span class="p"></span>pass<span class="f"></span>fail<span class="e"></span>error<span class="u"></span>unsupported<span class="b"></span>fallback<span class="s"></span>skip<span class="n" style="border:1px solid #d0d7de"></span>not run</span></div>
${groups}
<script>${SCRIPT}</script>
</body></html>
`;
}
