// npm run bench — ocicat against the peers and against the limit, in one run on
// one machine: push and pull of a 1 GiB single-layer artifact and of a 1 GiB
// artifact over 100 layers, by ocicat, oras, crane, regctl and skopeo, and by
// curl (the limit: monolithic PUT and GET of the same blobs); package of a
// catalog of 10,000 files against `tar -czf`. Commands run in alternation,
// BENCH_RUNS times each (default 5); medians with min and max; peak RSS of each.
// Every tool pushes from the same OCI layout into a fresh repository and pulls
// into a fresh layout, so bytes and work are the same for all.
// Writes reports/bench/<date>.md and .json with ocicat/limit and ocicat/best-peer.
//   BENCH_GIB (1), BENCH_LAYERS (100), BENCH_RUNS (5), BENCH_PACKAGE_FILES (10000),
//   BENCH_REGISTRIES (distribution2,distribution3)
import { execFile } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generatedRange, writeGenerated } from '../fixtures/generated-source.ts';
import { OciLayout } from '../harness/content/oci-layout.ts';
import { digestOf } from '../harness/oci/digest.ts';
import { encodeManifest } from '../harness/oci/manifest.ts';
import { EMPTY_JSON, OCI_MANIFEST } from '../harness/oci/media-types.ts';
import { bufferSource } from '../harness/remote/blob-source.ts';
import { definition } from '../registries/definitions/index.ts';
import { startProcess } from '../registries/providers/process.ts';
import { findTool } from '../registries/tools.ts';
import { measure, median, type Sample } from './bench/measure.ts';

const GiB = 1024 ** 3;
const ROOT = resolve(import.meta.dirname, '..');
const total = Math.round(Number(process.env.BENCH_GIB ?? 1) * GiB);
const layerCount = Number(process.env.BENCH_LAYERS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const packageFiles = Number(process.env.BENCH_PACKAGE_FILES ?? 10_000);
const registries = (process.env.BENCH_REGISTRIES ?? 'distribution2,distribution3').split(',');
const node = process.execPath;
const exec = promisify(execFile);
const work = await mkdtemp(join(tmpdir(), 'ocicat-bench-'));
const log = (s: string) => process.stdout.write(`${s}\n`);

/** An OCI layout holding one artifact of `n` layers adding up to `size` bytes; layer files are kept for curl. */
async function artifact(
  name: string,
  size: number,
  n: number,
): Promise<{ layout: string; files: Array<{ path: string; digest: string; size: number }> }> {
  const layout = join(work, `layout-${name}`);
  const l = await OciLayout.open(layout);
  const files: Array<{ path: string; digest: string; size: number }> = [];
  for (let i = 0; i < n; i++) {
    const s = Math.floor(size / n) + (i < size % n ? 1 : 0);
    const seed = `bench-${name}-${i}`;
    const path = join(work, `${name}-${i}.bin`);
    const digest = await writeGenerated(path, seed, s);
    await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
    await link(path, join(layout, 'blobs', 'sha256', digest.slice(7)));
    files.push({ path, digest, size: s });
  }
  await l.push(EMPTY_JSON, bufferSource(Buffer.from('{}')));
  const m = encodeManifest({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: 'application/vnd.ocicat.bench',
    config: EMPTY_JSON,
    layers: files.map((f) => ({ mediaType: 'application/octet-stream', digest: f.digest, size: f.size })),
  });
  await l.push({ mediaType: OCI_MANIFEST, digest: digestOf(m), size: m.length }, bufferSource(m), {
    reference: 'v1',
  });
  return { layout, files };
}

interface Row {
  registry: string;
  workload: string;
  op: 'push' | 'pull' | 'package';
  tool: string;
  samples: Sample[];
}
const rows: Row[] = [];
const add = (r: Omit<Row, 'samples'>, s: Sample) => {
  let row = rows.find(
    (x) => x.registry === r.registry && x.workload === r.workload && x.op === r.op && x.tool === r.tool,
  );
  if (!row) {
    row = { ...r, samples: [] };
    rows.push(row);
  }
  row.samples.push(s);
};

let seq = 0;
const fresh = (tool: string) => `bench/${tool}-${seq++}`;

async function curlPush(
  host: string,
  repo: string,
  files: Array<{ path: string; digest: string }>,
): Promise<Sample> {
  // the limit: each blob by one monolithic PUT, one after another, timed as one command
  const script = files
    .map(
      (f) =>
        `loc=$(curl -sS -o /dev/null -D - -X POST "http://${host}/v2/${repo}/blobs/uploads/" | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'); case "$loc" in http*) ;; *) loc="http://${host}$loc";; esac; curl -sS -f -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' -T '${f.path}' "$loc&digest=${f.digest}" || exit 1`,
    )
    .join('\n');
  const file = join(work, `curl-push-${seq++}.sh`);
  await writeFile(file, script);
  return measure('bash', [file]);
}

async function curlPull(
  host: string,
  repo: string,
  files: Array<{ digest: string }>,
  dir: string,
): Promise<Sample> {
  await mkdir(dir, { recursive: true });
  const script = files
    .map(
      (f, i) =>
        `curl -sS -f -o '${join(dir, String(i))}' "http://${host}/v2/${repo}/blobs/${f.digest}" || exit 1`,
    )
    .join('\n');
  const file = join(work, `curl-pull-${seq++}.sh`);
  await writeFile(file, script);
  return measure('bash', [file]);
}

try {
  const tools = {
    oras: await findTool('oras'),
    crane: await findTool('crane'),
    regctl: await findTool('regctl'),
    skopeo: await findTool('skopeo'),
  };
  const missing = Object.entries(tools)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) log(`not installed (their rows are left out): ${missing.join(', ')}`);
  const workloads = [
    { name: `single-layer`, ...(await artifact('single', total, 1)) },
    { name: `${layerCount}-layers`, ...(await artifact('multi', total, layerCount)) },
  ];
  for (const regName of registries) {
    let reg: Awaited<ReturnType<typeof startProcess>>;
    try {
      reg = await startProcess(definition(regName));
    } catch (e) {
      log(`${regName}: unavailable (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    try {
      const h = reg.host;
      const regctlEnv = { ...process.env, HOME: join(work, 'regctl-home') };
      if (tools.regctl)
        await exec(tools.regctl, ['registry', 'set', h, '--tls', 'disabled'], { env: regctlEnv });
      for (const w of workloads) {
        const pulled = `bench/pulled-${w.name}`;
        await exec(node, ['scripts/bench/artifact-op.ts', 'push', w.layout, 'v1', h, pulled], {
          cwd: ROOT,
        });
        for (let run = 0; run < RUNS; run++) {
          const base = { registry: `${reg.name} ${reg.version}`, workload: w.name };
          // push: everyone from the same layout into a fresh repository
          add(
            { ...base, op: 'push', tool: 'ocicat' },
            await measure(node, [
              join(ROOT, 'scripts/bench/artifact-op.ts'),
              'push',
              w.layout,
              'v1',
              h,
              fresh('ocicat'),
            ]),
          );
          if (tools.oras)
            add(
              { ...base, op: 'push', tool: 'oras' },
              await measure(tools.oras, [
                'cp',
                '--from-oci-layout',
                `${w.layout}:v1`,
                '--to-plain-http',
                `${h}/${fresh('oras')}:v1`,
              ]),
            );
          if (tools.crane)
            add(
              { ...base, op: 'push', tool: 'crane' },
              await measure(tools.crane, ['push', '--insecure', w.layout, `${h}/${fresh('crane')}:v1`]),
            );
          if (tools.regctl)
            add(
              { ...base, op: 'push', tool: 'regctl' },
              await measure('env', [
                `HOME=${regctlEnv.HOME}`,
                tools.regctl,
                'image',
                'copy',
                `ocidir://${w.layout}:v1`,
                `${h}/${fresh('regctl')}:v1`,
              ]),
            );
          if (tools.skopeo)
            add(
              { ...base, op: 'push', tool: 'skopeo' },
              await measure(tools.skopeo, [
                'copy',
                '--quiet',
                '--dest-tls-verify=false',
                `oci:${w.layout}:v1`,
                `docker://${h}/${fresh('skopeo')}:v1`,
              ]),
            );
          add({ ...base, op: 'push', tool: 'curl (limit)' }, await curlPush(h, fresh('curl'), w.files));
          // pull: everyone from the same repository into a fresh layout (or files, for curl)
          const out = () => join(work, `out-${seq++}`);
          const o1 = out();
          add(
            { ...base, op: 'pull', tool: 'ocicat' },
            await measure(node, [join(ROOT, 'scripts/bench/artifact-op.ts'), 'pull', h, pulled, 'v1', o1]),
          );
          const o2 = out();
          if (tools.oras)
            add(
              { ...base, op: 'pull', tool: 'oras' },
              await measure(tools.oras, [
                'cp',
                '--from-plain-http',
                `${h}/${pulled}:v1`,
                '--to-oci-layout',
                `${o2}:v1`,
              ]),
            );
          const o3 = out();
          if (tools.crane)
            add(
              { ...base, op: 'pull', tool: 'crane' },
              await measure(tools.crane, ['pull', '--insecure', '--format', 'oci', `${h}/${pulled}:v1`, o3]),
            );
          const o4 = out();
          if (tools.regctl)
            add(
              { ...base, op: 'pull', tool: 'regctl' },
              await measure('env', [
                `HOME=${regctlEnv.HOME}`,
                tools.regctl,
                'image',
                'copy',
                `${h}/${pulled}:v1`,
                `ocidir://${o4}:v1`,
              ]),
            );
          const o5 = out();
          if (tools.skopeo)
            add(
              { ...base, op: 'pull', tool: 'skopeo' },
              await measure(tools.skopeo, [
                'copy',
                '--quiet',
                '--src-tls-verify=false',
                `docker://${h}/${pulled}:v1`,
                `oci:${o5}:v1`,
              ]),
            );
          const o6 = out();
          add({ ...base, op: 'pull', tool: 'curl (limit)' }, await curlPull(h, pulled, w.files, o6));
          for (const o of [o1, o2, o3, o4, o5, o6]) await rm(o, { recursive: true, force: true });
          log(`${base.registry} ${w.name}: run ${run + 1}/${RUNS} done`);
        }
      }
    } finally {
      await reg.stop();
    }
  }
  // package: a catalog of many small files, ocicat against tar -czf
  const cat = join(work, 'catalog');
  await mkdir(join(cat, 'files'), { recursive: true });
  await writeFile(
    join(cat, 'Catalog.yaml'),
    'apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: bench\nspec:\n  version: 1.0.0\n',
  );
  const per = Math.floor(total / packageFiles);
  for (let i = 0; i < packageFiles; i++) {
    const parts: Buffer[] = [];
    for await (const c of generatedRange(`pkg-${i}`, 0, per)) parts.push(c as Buffer);
    await writeFile(join(cat, 'files', `f${String(i).padStart(5, '0')}.bin`), Buffer.concat(parts));
  }
  for (let run = 0; run < RUNS; run++) {
    const base = { registry: '-', workload: `${packageFiles} files`, op: 'package' as const };
    add(
      { ...base, tool: 'ocicat' },
      await measure(node, [
        join(ROOT, 'bin/ocicat.js'),
        'catalog',
        'package',
        'oci://bench.invalid/b/',
        '--work-dir',
        cat,
        '--home',
        join(work, `home-${seq++}`),
      ]),
    );
    add(
      { ...base, tool: 'tar -czf' },
      await measure('tar', ['-czf', join(work, `pkg-${seq++}.tgz`), '-C', work, 'catalog']),
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

// the table
const fmt = (n: number, d = 2) => n.toFixed(d);
const med = (r: Row) => median(r.samples.map((s) => s.seconds));
const groups = [...new Set(rows.map((r) => `${r.registry}|${r.workload}|${r.op}`))];
const lines = [
  `# bench — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `${RUNS} runs each, in alternation; median seconds (min-max); peak RSS MiB (median). Artifacts of ${fmt(total / GiB, 2)} GiB (1 layer, and ${layerCount} layers); package: ${packageFiles} files.`,
  '',
  '| registry | workload | op | tool | seconds | peak RSS MiB | ocicat / limit | ocicat / best peer |',
  '|---|---|---|---|---|---|---|---|',
];
const json: unknown[] = [];
for (const g of groups) {
  const [registry, workload, op] = g.split('|');
  const inGroup = rows.filter((r) => r.registry === registry && r.workload === workload && r.op === op);
  const ours = inGroup.find((r) => r.tool === 'ocicat');
  const limit = inGroup.find((r) => r.tool === 'curl (limit)' || r.tool === 'tar -czf');
  const peers = inGroup.filter((r) => r !== ours && r !== limit);
  const best = peers.length ? Math.min(...peers.map(med)) : undefined;
  for (const r of inGroup) {
    const secs = r.samples.map((s) => s.seconds);
    const isOurs = r === ours;
    const vsLimit = isOurs && limit ? fmt(med(r) / med(limit)) : '';
    const vsPeer = isOurs && best !== undefined ? fmt(med(r) / best) : '';
    lines.push(
      `| ${registry} | ${workload} | ${op} | ${r.tool} | ${fmt(med(r))} (${fmt(Math.min(...secs))}-${fmt(Math.max(...secs))}) | ${fmt(median(r.samples.map((s) => s.peakRssMiB)), 0)} | ${vsLimit} | ${vsPeer} |`,
    );
    json.push({
      registry,
      workload,
      op,
      tool: r.tool,
      samples: r.samples,
      medianSeconds: med(r),
      ...(isOurs ? { ratioToLimit: limit ? med(r) / med(limit) : null, ratioToBestPeer: best ?? null } : {}),
    });
  }
}
const day = new Date().toISOString().slice(0, 10);
await mkdir(join(ROOT, 'reports', 'bench'), { recursive: true });
await writeFile(join(ROOT, 'reports', 'bench', `${day}.md`), `${lines.join('\n')}\n`);
await writeFile(
  join(ROOT, 'reports', 'bench', `${day}.json`),
  `${JSON.stringify({ date: day, runs: RUNS, bytes: total, layers: layerCount, packageFiles, rows: json }, null, 2)}\n`,
);
log(lines.join('\n'));
log(`\nwritten: reports/bench/${day}.md and .json`);
