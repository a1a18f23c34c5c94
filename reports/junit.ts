// results.json -> JUnit XML: a testsuite per registry, a testcase per feature.
// fail -> <failure>, error -> <error>, skip and unsupported -> <skipped>,
// fallback passes with a note in <system-out>.
import { xmlText } from './escape.ts';
import type { Results } from './results.ts';

const esc = xmlText;

export function renderJunit(r: Results): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = r.results.length;
  const count = (s: string) => r.results.filter((x) => x.status === s).length;
  out.push(
    `<testsuites name="ocicat conformance" tests="${total}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip') + count('unsupported')}" time="${(r.run.durationMs / 1000).toFixed(3)}">`,
  );
  for (const reg of r.registries) {
    const rows = r.results.filter((x) => x.registry === reg.id);
    const c = (s: string) => rows.filter((x) => x.status === s).length;
    const time = rows.reduce((a, x) => a + x.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="${esc(reg.id)}" tests="${rows.length}" failures="${c('fail')}" errors="${c('error')}" skipped="${c('skip') + c('unsupported')}" time="${time.toFixed(3)}">`,
    );
    for (const x of rows) {
      const open = `    <testcase classname="${esc(reg.id)}" name="${esc(x.feature)}" time="${(x.durationMs / 1000).toFixed(3)}"`;
      const evidence = x.evidence?.length ? esc(x.evidence.join('\n')) : '';
      if (x.status === 'pass') out.push(`${open}/>`);
      else if (x.status === 'fallback')
        out.push(`${open}><system-out>fallback: ${esc(x.detail)}</system-out></testcase>`);
      else if (x.status === 'fail') {
        // the defect behind the cell first: CI systems show the message
        const behind = [...(x.defects ?? []), ...(x.lacks ?? []).map((f) => `lacks ${f}`)];
        const message = behind.length ? `[${behind.join(', ')}] ${x.detail}` : x.detail;
        out.push(`${open}><failure message="${esc(message)}">${evidence}</failure></testcase>`);
      } else if (x.status === 'error')
        out.push(`${open}><error message="${esc(x.detail)}">${evidence}</error></testcase>`);
      else out.push(`${open}><skipped message="${esc(`${x.status}: ${x.detail}`)}"/></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
