// npm run bench:blob — push and pull 256 MiB and 1 GiB blobs with ocicat's client
// and with curl (the limit) against one distribution 2.8 started here, in
// alternation, BENCH_RUNS runs each (default 3). Prints medians (min-max),
// throughput, peak RSS, and the ocicat/curl ratio. Not a test: numbers, no verdicts,
// except that peak RSS must not grow with the blob size (checked and reported).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGenerated } from '../fixtures/generated-source.ts';
import { startDistribution2 } from '../registries/process/distribution2.ts';
import { bundledOp } from './bench/bundled.ts';
import { measure, median, type Sample } from './bench/measure.ts';

const blobOp = await bundledOp('bench-blob-op');

const MiB = 1024 * 1024;
const SIZES = (process.env.BENCH_SIZES_MIB ?? '256,1024').split(',').map((s) => Number(s) * MiB);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const dir = await mkdtemp(join(tmpdir(), 'ocicat-bench-'));
const reg = await startDistribution2();
const base = reg.url();
let seq = 0;

function curlPush(file: string, digest: string): Promise<Sample> {
  const repo = `bench/curl-${seq++}`;
  const loc = execFileSync('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-D',
    '-',
    '-X',
    'POST',
    `${base}/v2/${repo}/blobs/uploads/`,
  ])
    .toString()
    .match(/^location:\s*(\S+)/im)?.[1];
  if (!loc) throw new Error('no upload location from the registry');
  const url = new URL(loc, base);
  url.searchParams.set('digest', digest);
  return measure('curl', [
    '-sS',
    '-f',
    '-o',
    '/dev/null',
    '-X',
    'PUT',
    '-H',
    'Content-Type: application/octet-stream',
    '-T',
    file,
    url.toString(),
  ]);
}

const node = process.execPath;
const ocicat = (op: 'push' | 'pull', file: string, digest: string, size: number, repo: string) =>
  measure(node, [blobOp, op, reg.host, repo, file, digest, String(size)]);

interface Row {
  size: number;
  op: 'push' | 'pull';
  tool: string;
  samples: Sample[];
}
const rows: Row[] = [];
const row = (size: number, op: Row['op'], tool: string) => {
  let r = rows.find((x) => x.size === size && x.op === op && x.tool === tool);
  if (!r) {
    r = { size, op, tool, samples: [] };
    rows.push(r);
  }
  return r;
};

try {
  for (const size of SIZES) {
    const file = join(dir, `blob-${size}`);
    const digest = await writeGenerated(file, `bench-${size}`, size);
    const pullRepo = `bench/pull-${size}`;
    await ocicat('push', file, digest, size, pullRepo);
    for (let run = 0; run < RUNS; run++) {
      row(size, 'push', 'ocicat').samples.push(await ocicat('push', file, digest, size, `bench/o-${seq++}`));
      row(size, 'push', 'curl').samples.push(await curlPush(file, digest));
      const out = join(dir, 'pulled');
      row(size, 'pull', 'ocicat').samples.push(await ocicat('pull', out, digest, size, pullRepo));
      await rm(out, { force: true });
      row(size, 'pull', 'curl').samples.push(
        await measure('curl', ['-sS', '-f', '-o', out, `${base}/v2/${pullRepo}/blobs/${digest}`]),
      );
      await rm(out, { force: true });
    }
    await rm(file, { force: true });
  }
} finally {
  await reg.stop();
  await rm(dir, { recursive: true, force: true });
}

const fmt = (n: number, d = 2) => n.toFixed(d);
const lines: string[] = [];
lines.push(`bench:blob — distribution 2.8 on 127.0.0.1, ${RUNS} runs each, medians (min-max)`);
lines.push('');
lines.push('| size | op | tool | seconds | MiB/s | peak RSS MiB | ocicat/curl time |');
lines.push('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const secs = r.samples.map((s) => s.seconds);
  const med = median(secs);
  const curl = rows.find((x) => x.size === r.size && x.op === r.op && x.tool === 'curl')!;
  const ratio = r.tool === 'ocicat' ? fmt(med / median(curl.samples.map((s) => s.seconds))) : '';
  lines.push(
    `| ${r.size / MiB} MiB | ${r.op} | ${r.tool} | ${fmt(med)} (${fmt(Math.min(...secs))}-${fmt(Math.max(...secs))}) | ${fmt(r.size / MiB / med, 0)} | ${fmt(median(r.samples.map((s) => s.peakRssMiB)), 0)} | ${ratio} |`,
  );
}
const rss = (op: string) =>
  rows
    .filter((r) => r.tool === 'ocicat' && r.op === op)
    .map((r) => median(r.samples.map((s) => s.peakRssMiB)));
lines.push('');
for (const op of ['push', 'pull']) {
  const [small, large] = [rss(op)[0]!, rss(op).at(-1)!];
  lines.push(
    `ocicat ${op} peak RSS: ${fmt(small, 0)} MiB -> ${fmt(large, 0)} MiB (${large <= small * 1.25 + 8 ? 'flat: does not grow with blob size' : 'GROWS with blob size'})`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
