// npm run bench:conformance (and the last part of npm run bench): how long the
// conformance run takes (issue 28): one registry's run, ocicat's features and the
// official OCI suite together (target: 6 s), and the whole local matrix (target:
// 120 s on 2 cores), each the command a nightly runs (`ocicat conformance run`,
// bundled), from its start to its exit. Beside each figure its profile, read from
// the run itself: the cores it kept busy (CPU seconds of the run and everything it
// started, registries included, over wall seconds), the official suite's own time
// per registry (its junit), the sum and the longest of the features' times. A run
// whose cores are all busy is bound by the CPU, not by waiting.
//   BENCH_RUNS (5) one-registry runs each, BENCH_MATRIX_RUNS (3) matrix runs (0: none),
//   BENCH_CONFORMANCE_REGISTRIES (olareg/process/anonymous,distribution3.1.2/process/anonymous),
//   BENCH_OUT (reports/bench). Writes <date>-conformance.md and .json.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { median } from './bench/measure.ts';
import { buildAll } from './build.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MATRIX_RUNS = Number(process.env.BENCH_MATRIX_RUNS ?? 3);
const SINGLE = (
  process.env.BENCH_CONFORMANCE_REGISTRIES ?? 'olareg/process/anonymous,distribution3.1.2/process/anonymous'
)
  .split(',')
  .filter(Boolean);
const OUT = resolve(process.env.BENCH_OUT ?? join(ROOT, 'reports', 'bench'));
const BIN = join(ROOT, 'bin', 'ocicat.js');
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Run {
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  registries: number;
  featureSum: number;
  featureMax: { feature: string; seconds: number };
  /** The official suite's own time, per registry (its junit). */
  official: number[];
}

/** One `conformance run` under GNU time; exit 0 or 1 (fail cells) are both a finished run. */
function conformance(out: string, registries: string[]): Promise<Run> {
  return new Promise((done, reject) => {
    const args = [BIN, 'conformance', 'run', '--out', out, ...registries.flatMap((r) => ['--registry', r])];
    const child = spawn('/usr/bin/time', ['-f', 'OCICAT_TIME %e %U %S %M', process.execPath, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', async (code) => {
      const m = /OCICAT_TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      if ((code !== 0 && code !== 1) || !m)
        return reject(new Error(`conformance run failed (${code}): ${err.slice(-400)}`));
      try {
        const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as {
          registries: Array<{ state: string }>;
          results: Array<{ feature: string; durationMs: number }>;
        };
        const own = results.results.filter((r) => !r.feature.startsWith('oci.'));
        const longest = own.reduce((a, b) => (b.durationMs > a.durationMs ? b : a), own[0]!);
        done({
          seconds: Number(m[1]),
          cpuSeconds: Number(m[2]) + Number(m[3]),
          peakRssMiB: Number(m[4]) / 1024,
          registries: results.registries.filter((r) => r.state === 'ran').length,
          featureSum: own.reduce((s, r) => s + r.durationMs, 0) / 1000,
          featureMax: { feature: longest.feature, seconds: longest.durationMs / 1000 },
          official: await officialTimes(join(out, 'evidence')),
        });
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function officialTimes(evidence: string): Promise<number[]> {
  const times: number[] = [];
  for (const dir of await readdir(evidence).catch(() => [] as string[])) {
    const xml = await readFile(join(evidence, dir, 'official', 'junit.xml'), 'utf8').catch(() => '');
    const t = /<testsuite [^>]*time="([\d.]+)"/.exec(xml)?.[1];
    if (t) times.push(Number(t));
  }
  return times;
}

interface Row {
  what: string;
  target: number;
  runs: Run[];
}
const rows: Row[] = [];
const work = await mkdtemp(join(tmpdir(), 'ocicat-bench-conformance-'));
try {
  await buildAll();
  // one untimed run: Node's compile cache and the page cache, as on a nightly's second night
  await conformance(join(work, 'warm'), [SINGLE[0]!]);
  const plan: Array<{ what: string; target: number; registries: string[]; runs: number }> = [
    ...SINGLE.map((r) => ({ what: `one registry: ${r}`, target: 6, registries: [r], runs: RUNS })),
    ...(MATRIX_RUNS > 0
      ? [{ what: 'the local matrix', target: 120, registries: [], runs: MATRIX_RUNS }]
      : []),
  ];
  for (const p of plan) rows.push({ what: p.what, target: p.target, runs: [] });
  // in alternation, so that a noisy minute falls on every row
  for (let i = 0; i < Math.max(...plan.map((p) => p.runs)); i++) {
    for (const [k, p] of plan.entries()) {
      if (i >= p.runs) continue;
      const out = join(work, `run-${k}-${i}`);
      const r = await conformance(out, p.registries);
      rows[k]!.runs.push(r);
      await rm(out, { recursive: true, force: true });
      log(`${p.what}: run ${i + 1}/${p.runs}: ${r.seconds.toFixed(2)} s`);
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const fmt = (n: number, d = 2) => n.toFixed(d);
const day = new Date().toISOString().slice(0, 10);
const lines = [
  `# bench: the conformance run — ${day}`,
  '',
  'Each run is `ocicat conformance run` (bundled) from its start to its exit: registries started, ocicat\'s features and the official OCI suite, reports written, registries stopped. Medians (min-max). "cores busy" is the CPU seconds of the run and everything it started (registries, peer tools, the official suite) over its wall seconds; the official suite\'s time is its own junit figure per registry (median over registries and runs); features: the sum of their times and the longest one (median run).',
  '',
  `Machine: ${cpus().length} cores, ${fmt(totalmem() / 1024 ** 3, 0)} GiB, shared (medians and ratios only). node ${process.version}.`,
  '',
  '| run | registries | seconds | target | cores busy | peak RSS MiB | official suite s | features: sum s, longest |',
  '|---|---|---|---|---|---|---|---|',
];
const missed: string[] = [];
const json: unknown[] = [];
for (const r of rows) {
  const secs = r.runs.map((x) => x.seconds);
  const med = median(secs);
  const mid = [...r.runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(r.runs.length / 2)]!;
  const busy = median(r.runs.map((x) => x.cpuSeconds / x.seconds));
  const official = r.runs.flatMap((x) => x.official);
  const met = med <= r.target;
  if (!met) missed.push(`${r.what}: ≤ ${r.target} s (${fmt(med)} s)`);
  lines.push(
    `| ${r.what} | ${mid.registries} | ${fmt(med)} (${fmt(Math.min(...secs))}-${fmt(Math.max(...secs))}) | ${met ? 'met' : '**missed**'}: ≤ ${r.target} s | ${fmt(busy)} of ${cpus().length} | ${fmt(median(r.runs.map((x) => x.peakRssMiB)), 0)} | ${official.length ? `${fmt(median(official))} (${fmt(Math.min(...official))}-${fmt(Math.max(...official))})` : ''} | ${fmt(mid.featureSum, 1)}, ${mid.featureMax.feature} ${fmt(mid.featureMax.seconds)} |`,
  );
  json.push({ ...r, medianSeconds: med, coresBusy: busy, met });
}
lines.push(
  '',
  missed.length ? `Targets missed: ${missed.length}.` : 'Every target met.',
  ...missed.map((m) => `- ${m}`),
);
await mkdir(OUT, { recursive: true });
await writeFile(join(OUT, `${day}-conformance.md`), `${lines.join('\n')}\n`);
await writeFile(
  join(OUT, `${day}-conformance.json`),
  `${JSON.stringify({ date: day, runs: RUNS, matrixRuns: MATRIX_RUNS, rows: json }, null, 2)}\n`,
);
log(lines.join('\n'));
log(`\nwritten: ${relative(ROOT, join(OUT, `${day}-conformance.md`))} and .json`);
