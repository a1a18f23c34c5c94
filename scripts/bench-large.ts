// npm run bench:large — push (streamed from a generator, nothing on disk) and pull
// (to a file, digest verified) of 1, 4 and 16 GiB layers through distribution 2.8,
// each in its own process; prints time, throughput and peak RSS per size. The
// goal: peak RSS under 150 MiB whatever the size. BENCH_LARGE_GIB=1,4,16 to choose.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedDigest } from '../fixtures/generated-source.ts';
import { startDistribution2 } from '../registries/process/distribution2.ts';
import { bundledOp } from './bench/bundled.ts';
import { measure } from './bench/measure.ts';

const largeOp = await bundledOp('bench-large-op');

const GiB = 1024 ** 3;
const sizes = (process.env.BENCH_LARGE_GIB ?? '1,4,16').split(',').map(Number);
const reg = await startDistribution2();
const dir = await mkdtemp(join(tmpdir(), 'ocicat-bench-large-'));
const rows: string[] = [];
try {
  for (const gib of sizes) {
    const size = gib * GiB;
    const seed = `bench-large-${gib}`;
    const digest = await generatedDigest(seed, size);
    const op = (o: string, out?: string) =>
      measure(process.execPath, [
        largeOp,
        o,
        reg.host,
        'bench/large',
        seed,
        String(size),
        digest,
        ...(out ? [out] : []),
      ]);
    const push = await op('push');
    const pull = await op('pull', join(dir, 'pulled'));
    await rm(join(dir, 'pulled'), { force: true });
    rows.push(
      `| ${gib} GiB | ${push.seconds.toFixed(1)} | ${(size / 2 ** 20 / push.seconds).toFixed(0)} | ${push.peakRssMiB.toFixed(0)} | ${pull.seconds.toFixed(1)} | ${(size / 2 ** 20 / pull.seconds).toFixed(0)} | ${pull.peakRssMiB.toFixed(0)} |`,
    );
    process.stdout.write(`${rows.at(-1)}\n`);
  }
} finally {
  await reg.stop();
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(
  `\nbench:large — distribution 2.8 on 127.0.0.1, one run per size\n\n| size | push s | push MiB/s | push peak RSS MiB | pull s | pull MiB/s | pull peak RSS MiB |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
