// npm run bench:history: `ocicat report history` over 30 nights of 40 registries x
// 120 features (issue 26: under 5 s), against the limit of reading them: `node -e`
// reading and JSON.parse-ing the same 30 results.json files, measured in the same
// run, in alternation, BENCH_RUNS times (default 5); medians with ranges, peak RSS,
// the ratio, and the target met or missed. Writes reports/bench/<date>-history.md.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sampleResults } from '../reports/fixture.ts';
import type { Results, Status } from '../reports/results.ts';
import { measure, median, type Sample } from './bench/measure.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const OUT = resolve(process.env.BENCH_OUT ?? join(ROOT, 'reports', 'bench'));
const NIGHTS = 30;
const REGISTRIES = 40;
const FEATURES = 120;
const TARGET_S = 5;
const node = process.execPath;

const dir = await mkdtemp(join(tmpdir(), 'ocicat-bench-history-'));
try {
  const folders: string[] = [];
  const statuses: Status[] = ['pass', 'pass', 'pass', 'pass', 'fail', 'unsupported', 'skip'];
  for (let n = 0; n < NIGHTS; n++) {
    const base = sampleResults();
    const r: Results = {
      ...base,
      run: {
        ...base.run,
        id: `night-${n}`,
        startedAt: new Date(Date.UTC(2026, 10, 1, 2, 0) + n * 864e5).toISOString(),
      },
      registries: Array.from({ length: REGISTRIES }, (_, i) => ({
        ...base.registries[0]!,
        id: `registry-${i}/process/anonymous`,
      })),
      results: Array.from({ length: REGISTRIES * FEATURES }, (_, k) => {
        const reg = Math.floor(k / FEATURES);
        const f = k % FEATURES;
        return {
          registry: `registry-${reg}/process/anonymous`,
          feature: `feature.${f}`,
          // mostly stable, some cells changing now and then
          status: statuses[(f * 7 + reg + (f % 11 === 0 ? n : 0)) % statuses.length]!,
          durationMs: 10,
          detail: 'a reason of some length, as cells carry, with a URL http://127.0.0.1:5000/v2/x',
          evidence: ['GET http://127.0.0.1:5000/v2/x/blobs/sha256:1 -> 404', '  < content-length: 0'],
        };
      }),
      defects: [],
      disagreements: [],
    };
    const d = join(dir, `night-${n}`);
    await mkdir(d);
    await writeFile(join(d, 'results.json'), JSON.stringify(r));
    folders.push(d);
  }
  const history: Sample[] = [];
  const read: Sample[] = [];
  const readAll = `for (const d of ${JSON.stringify(folders)}) JSON.parse(require('fs').readFileSync(d + '/results.json', 'utf8'))`;
  for (let i = 0; i < RUNS; i++) {
    history.push(
      await measure(node, [
        join(ROOT, 'bin', 'ocicat.js'),
        'report',
        'history',
        ...folders,
        '--out',
        join(dir, 'h'),
      ]).catch((e: Error) => {
        // exit 1 (a regression in the newest night) is a result, not a failure of the bench
        if (/failed \(1\)/.test(e.message)) return { seconds: Number.NaN, peakRssMiB: Number.NaN };
        throw e;
      }),
    );
    read.push(await measure(node, ['-e', readAll]));
  }
  const ok = history.filter((s) => !Number.isNaN(s.seconds));
  if (!ok.length) throw new Error('report history exited non-zero on every run');
  const med = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
  const range = (xs: Sample[]) =>
    `${Math.min(...xs.map((x) => x.seconds)).toFixed(2)}-${Math.max(...xs.map((x) => x.seconds)).toFixed(2)}`;
  const h = med(ok, 'seconds');
  const r = med(read, 'seconds');
  const lines = [
    `# report history bench (${new Date().toISOString().slice(0, 10)})`,
    '',
    `${NIGHTS} nights x ${REGISTRIES} registries x ${FEATURES} features, ${RUNS} runs in alternation; medians (range).`,
    '',
    '| op | seconds | peak RSS MiB | limit: read + JSON.parse the files | ratio | target |',
    '|---|---|---|---|---|---|',
    `| report history | ${h.toFixed(2)} (${range(ok)}) | ${med(ok, 'peakRssMiB').toFixed(0)} | ${r.toFixed(2)} (${range(read)}) | ${(h / r).toFixed(2)}x | under ${TARGET_S} s: ${h < TARGET_S ? 'met' : 'missed'} |`,
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(text);
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, `${new Date().toISOString().slice(0, 10)}-history.md`), text);
} finally {
  await rm(dir, { recursive: true, force: true });
}
