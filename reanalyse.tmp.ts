import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyse } from './reports/defects.ts';
import { junitCases } from './suites/conformance/official/cases.ts';
import { officialDir } from './reports/results.ts';
const dir = process.argv[2]!;
const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const cases = new Map();
for (const reg of r.registries) {
  const f = join(dir, officialDir(reg.id), 'junit.xml');
  if (existsSync(f)) cases.set(reg.id, junitCases(readFileSync(f, 'utf8')));
}
const rows = r.results.map(({ defects: _d, lacks: _l, ...x }: any) => x);
const a = analyse(rows, cases, r.features);
const count = (xs: any[]) => { const m: Record<string, number> = {}; for (const x of xs) m[x.registry] = (m[x.registry] ?? 0) + 1; return m; };
console.log('stored defects', r.defects.length, 'disagreements', r.disagreements.length, JSON.stringify(count(r.defects)));
console.log('now    defects', a.defects.length, 'disagreements', a.disagreements.length, JSON.stringify(count(a.defects)));
console.log(count(a.disagreements));
for (const d of a.defects.filter((d) => d.registry === process.argv[3])) console.log(' ', d.id, d.cases.length, d.rows.length);
