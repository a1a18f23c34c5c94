// npm run example [DIR]: the committed example report (issue 22), small enough to
// open (under 2 MB) and representative: distribution 2.8 and 3.1.2 (their defects,
// and a capability 2.8 lacks), olareg (no defect), and the Harbor and Docker Hub
// profiles with the backend they sit in front of. It runs the conformance run
// against those, then keeps the evidence of defects only: their cells' files, and
// the official suite's results.yaml (its report.html and junit.xml, 1.4 MB each,
// are kept only for a registry with a defect no ocicat check explains). The whole
// matrix, with every piece of evidence, is the nightly's artifact. Then it takes
// the screenshots (scripts/report-screenshots.ts).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Results } from '../reports/results.ts';
import { officialDir } from '../reports/results.ts';
import { defectLink } from '../reports/summary.ts';

const ROOT = resolve(import.meta.dirname, '..');
const out = resolve(process.argv[2] ?? join(ROOT, 'reports', 'examples'));
const REGISTRIES = [
  'distribution2/process/anonymous',
  'distribution3.1.2/process/anonymous',
  'olareg/process/anonymous',
  'profile/harbor',
  'profile/dockerhub',
];
const LIMIT = 2 * 1024 * 1024;

rmSync(out, { recursive: true, force: true });
const node = process.execPath;
try {
  execFileSync(
    node,
    [
      join(ROOT, 'bin', 'ocicat.js'),
      'conformance',
      'run',
      ...REGISTRIES.flatMap((r) => ['--registry', r]),
      '--out',
      out,
      '--fail-on',
      'never',
    ],
    { stdio: 'inherit' },
  );
} catch {
  process.stderr.write('error: the conformance run did not finish; no example written\n');
  process.exit(1);
}
const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
const keep = new Set<string>(results.defects.map(defectLink));
for (const r of results.registries) keep.add(`${officialDir(r.id)}/results.yaml`);
for (const d of results.defects)
  if (d.id.startsWith('official:')) keep.add(`${officialDir(d.registry)}/junit.xml`);

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
let removed = 0;
for (const f of walk(join(out, 'evidence'))) {
  if (keep.has(relative(out, f))) continue;
  rmSync(f);
  removed++;
}
writeFileSync(
  join(out, 'README.md'),
  `# The example report\n\nWritten by \`npm run example\` (scripts/example-report.ts) on ${results.run.startedAt.slice(0, 10)}: ${REGISTRIES.join(', ')} (and \`profile/backend\`, which the profiles bring). Its evidence is kept for defects only (${keep.size} files; ${removed} others removed): links from cells that are no defect lead nowhere here. The whole matrix, with all its evidence, is the nightly's artifact (\`.github/workflows/nightly.yml\`).\n`,
);
const size = walk(out).reduce((a, f) => a + statSync(f).size, 0);
process.stdout.write(`example: ${out} (${(size / 1024).toFixed(0)} KiB before screenshots)\n`);
execFileSync(node, [join(ROOT, 'scripts', 'report-screenshots.ts'), out], { stdio: 'inherit' });
const total = walk(out).reduce((a, f) => a + statSync(f).size, 0);
if (total > LIMIT) {
  process.stderr.write(`error: the example is ${(total / 1024 / 1024).toFixed(1)} MB, over 2 MB\n`);
  process.exit(1);
}
process.stdout.write(`example: ${(total / 1024).toFixed(0)} KiB in all\n`);
