// npm run bench:startup: what a command costs before it does anything (issue 28),
// against `node -e 0` in the same run: `ocicat --version` (target: within 1.3x),
// and `ocicat catalog list` on an empty cache (the CLI bundle loaded and run) with
// Node's compile cache (bin/ocicat.js enables it) and without
// (NODE_DISABLE_COMPILE_CACHE=1). BENCH_RUNS (default 15) runs each, in
// alternation; medians with ranges. Writes reports/bench/<date>-startup.md.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './bench/measure.ts';
import { buildAll } from './build.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const OUT = resolve(process.env.BENCH_OUT ?? join(ROOT, 'reports', 'bench'));
const BIN = join(ROOT, 'bin', 'ocicat.js');
const node = process.execPath;

const home = await mkdtemp(join(tmpdir(), 'ocicat-bench-startup-'));
const cacheDir = join(home, 'compile-cache');
try {
  await buildAll();
  const cases: Array<{ name: string; args: string[]; env?: NodeJS.ProcessEnv }> = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'ocicat --version', args: [BIN, '--version'] },
    {
      name: 'ocicat catalog list (compile cache)',
      args: [BIN, 'catalog', 'list', '--home', home],
      env: { NODE_COMPILE_CACHE: cacheDir },
    },
    {
      name: 'ocicat catalog list (no compile cache)',
      args: [BIN, 'catalog', 'list', '--home', home],
      env: { NODE_DISABLE_COMPILE_CACHE: '1' },
    },
  ];
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  // one untimed run each: the compile cache is written on the first
  for (const c of cases) spawnSync(node, c.args, { env: { ...process.env, ...c.env } });
  for (let i = 0; i < RUNS; i++)
    for (const c of cases) {
      const t = performance.now();
      const r = spawnSync(node, c.args, { env: { ...process.env, ...c.env } });
      if (r.status !== 0) throw new Error(`${c.name} failed: ${r.stderr}`);
      times.get(c.name)!.push((performance.now() - t) / 1000);
    }
  const base = median(times.get('node -e 0')!);
  const cold = median(times.get('ocicat catalog list (no compile cache)')!);
  const rows = cases.map((c) => {
    const xs = times.get(c.name)!;
    const m = median(xs);
    const target =
      c.name === 'ocicat --version'
        ? `within 1.3x of node -e 0: ${m / base <= 1.3 ? 'met' : '**missed**'}`
        : c.name === 'ocicat catalog list (compile cache)'
          ? `${(m / cold).toFixed(2)}x the run without the compile cache`
          : '';
    return `| ${c.name} | ${(m * 1000).toFixed(0)} (${(Math.min(...xs) * 1000).toFixed(0)}-${(Math.max(...xs) * 1000).toFixed(0)}) | ${(m / base).toFixed(2)}x | ${target} |`;
  });
  const text = [
    `# bench: start-up — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `${RUNS} runs each, in alternation; median milliseconds (min-max); node ${process.version}.`,
    '',
    '| command | ms | / node -e 0 | target |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(text);
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, `${new Date().toISOString().slice(0, 10)}-startup.md`), text);
} finally {
  await rm(home, { recursive: true, force: true });
}
