// npm run bench — ocicat against the peers and against the limit, in one run on
// one machine: push and pull of a 1 GiB single-layer artifact and of a 1 GiB
// artifact over 100 layers, by ocicat, oras, crane, regctl and skopeo, and by
// curl (the limit: monolithic PUT and GET of the same blobs); package of a
// catalog of 10,000 files against `tar -czf`. Commands run in alternation,
// BENCH_RUNS times each (default 5); medians with min and max; peak RSS of each.
// Every tool pushes from the same OCI layout into a fresh repository and pulls
// into a fresh layout, so bytes and work are the same for all.
// ocicat runs as users get it: bundled (scripts/build.ts, built first). Before
// every measured command the page cache is flushed (`sync`, not timed), so that
// one tool's gigabyte of dirty pages does not slow the next one's writes.
// Writes reports/bench/<date>.md and .json with ocicat/limit, ocicat/best peer and
// each target of issue 6, met or missed.
//   BENCH_GIB (1), BENCH_LAYERS (100), BENCH_RUNS (5), BENCH_PACKAGE_FILES (10000),
//   BENCH_REGISTRIES (distribution2,zot; distribution3 too), BENCH_TOOLS (all: ocicat,
//   oras,crane,regctl,skopeo,curl; a subset for quick looks), BENCH_OUT (reports/bench)
import { execFile, execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, homedir, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
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
import { bundledOp } from './bench/bundled.ts';
import { measure as measureCommand, median, type Sample } from './bench/measure.ts';

const GiB = 1024 ** 3;
const ROOT = resolve(import.meta.dirname, '..');
const total = Math.round(Number(process.env.BENCH_GIB ?? 1) * GiB);
const layerCount = Number(process.env.BENCH_LAYERS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const packageFiles = Number(process.env.BENCH_PACKAGE_FILES ?? 10_000);
const registries = (process.env.BENCH_REGISTRIES ?? 'distribution2,zot').split(',');
const wanted = new Set((process.env.BENCH_TOOLS ?? 'ocicat,oras,crane,regctl,skopeo,curl').split(','));
const OUT = resolve(process.env.BENCH_OUT ?? join(ROOT, 'reports', 'bench'));
const unavailable: string[] = [];
const node = process.execPath;
const exec = promisify(execFile);
const work = await mkdtemp(join(tmpdir(), 'ocicat-bench-'));
const log = (s: string) => process.stdout.write(`${s}\n`);

/**
 * skopeo remembers where it has pushed each blob (containers/image's blob-info
 * cache) and mounts it from there into a new repository: a "push" of 1 GiB in
 * 0.05 s. Forgetting before each skopeo command keeps every upload real.
 */
const SKOPEO_BLOB_CACHES = [
  '/var/lib/containers/cache',
  join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'containers', 'cache'),
].flatMap((d) => ['blob-info-cache-v1.boltdb', 'blob-info-cache-v1.sqlite'].map((f) => join(d, f)));

async function skopeo(bin: string, args: string[]): Promise<Sample> {
  for (const f of SKOPEO_BLOB_CACHES) await rm(f, { force: true });
  return measure(bin, args);
}

/** Flush dirty pages first (untimed): the previous command's writes must not throttle this one's. */
function measure(cmd: string, args: string[]): Promise<Sample> {
  execFileSync('sync');
  return measureCommand(cmd, args);
}

const artifactOpPath = await bundledOp('bench-artifact-op');

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
      const why = `${regName}: unavailable (${(e as Error).message.split('\n')[0]})`;
      unavailable.push(why);
      log(why);
      continue;
    }
    try {
      const h = reg.host;
      const regctlEnv = { ...process.env, HOME: join(work, 'regctl-home') };
      if (tools.regctl && wanted.has('regctl'))
        await exec(tools.regctl, ['registry', 'set', h, '--tls', 'disabled'], { env: regctlEnv });
      for (const w of workloads) {
        const pulled = `bench/pulled-${w.name}`;
        await exec(node, [artifactOpPath, 'push', w.layout, 'v1', h, pulled]);
        for (let run = 0; run < RUNS; run++) {
          const base = { registry: `${reg.name} ${reg.version}`, workload: w.name };
          // push: everyone from the same layout into a fresh repository
          if (wanted.has('ocicat'))
            add(
              { ...base, op: 'push', tool: 'ocicat' },
              await measure(node, [artifactOpPath, 'push', w.layout, 'v1', h, fresh('ocicat')]),
            );
          if (tools.oras && wanted.has('oras'))
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
          if (tools.crane && wanted.has('crane'))
            add(
              { ...base, op: 'push', tool: 'crane' },
              await measure(tools.crane, ['push', '--insecure', w.layout, `${h}/${fresh('crane')}:v1`]),
            );
          if (tools.regctl && wanted.has('regctl'))
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
          if (tools.skopeo && wanted.has('skopeo'))
            add(
              { ...base, op: 'push', tool: 'skopeo' },
              await skopeo(tools.skopeo, [
                'copy',
                '--quiet',
                '--dest-tls-verify=false',
                `oci:${w.layout}:v1`,
                `docker://${h}/${fresh('skopeo')}:v1`,
              ]),
            );
          if (wanted.has('curl'))
            add({ ...base, op: 'push', tool: 'curl (limit)' }, await curlPush(h, fresh('curl'), w.files));
          // pull: everyone from the same repository into a fresh layout (or files, for curl)
          const out = () => join(work, `out-${seq++}`);
          const o1 = out();
          if (wanted.has('ocicat'))
            add(
              { ...base, op: 'pull', tool: 'ocicat' },
              await measure(node, [artifactOpPath, 'pull', h, pulled, 'v1', o1]),
            );
          const o2 = out();
          if (tools.oras && wanted.has('oras'))
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
          if (tools.crane && wanted.has('crane'))
            add(
              { ...base, op: 'pull', tool: 'crane' },
              await measure(tools.crane, ['pull', '--insecure', '--format', 'oci', `${h}/${pulled}:v1`, o3]),
            );
          const o4 = out();
          if (tools.regctl && wanted.has('regctl'))
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
          if (tools.skopeo && wanted.has('skopeo'))
            add(
              { ...base, op: 'pull', tool: 'skopeo' },
              await skopeo(tools.skopeo, [
                'copy',
                '--quiet',
                '--src-tls-verify=false',
                `docker://${h}/${pulled}:v1`,
                `oci:${o5}:v1`,
              ]),
            );
          const o6 = out();
          if (wanted.has('curl'))
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
  if (packageFiles > 0) {
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
      const home = join(work, `home-${seq++}`);
      const tgz = join(work, `pkg-${seq++}.tgz`);
      if (wanted.has('ocicat'))
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
            home,
          ]),
        );
      add({ ...base, tool: 'tar -czf' }, await measure('tar', ['-czf', tgz, '-C', work, 'catalog']));
      await rm(home, { recursive: true, force: true });
      await rm(tgz, { force: true });
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

// the table
const fmt = (n: number, d = 2) => n.toFixed(d);
const med = (r: Row) => median(r.samples.map((s) => s.seconds));
const rss = (r: Row) => median(r.samples.map((s) => s.peakRssMiB));

/** Issue 6's targets for an ocicat row: each one met or missed, with the figure. */
function targets(op: Row['op'], vsLimit: number | undefined, vsPeer: number | undefined, peakRss: number) {
  const out: Array<{ target: string; met: boolean; figure: string }> = [];
  if (op === 'push' && vsLimit !== undefined)
    out.push({ target: 'push ≥ 0.95× curl speed', met: vsLimit <= 1 / 0.95, figure: `${fmt(1 / vsLimit)}×` });
  if (op === 'pull' && vsLimit !== undefined)
    out.push({ target: 'pull ≤ 1.2× curl time', met: vsLimit <= 1.2, figure: `${fmt(vsLimit)}×` });
  if (op === 'package' && vsLimit !== undefined)
    out.push({ target: 'faster than tar -czf', met: vsLimit < 1, figure: `${fmt(vsLimit)}×` });
  if (vsPeer !== undefined)
    out.push({ target: 'faster than every peer', met: vsPeer < 1, figure: `${fmt(vsPeer)}×` });
  out.push({ target: 'peak RSS < 150 MiB', met: peakRss < 150, figure: `${fmt(peakRss, 0)} MiB` });
  return out;
}

function version(cmd: string | undefined, args: string[]): string {
  if (!cmd) return 'not installed';
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /v?\d+\.\d+(\.\d+)?/.exec(out)?.[0] ?? out.split('\n')[0]!.trim();
  } catch {
    return 'unknown';
  }
}
const versions = {
  node: process.version,
  oras: version(await findTool('oras'), ['version']),
  crane: version(await findTool('crane'), ['version']),
  regctl: version(await findTool('regctl'), ['version', '--format', '{{.VCSTag}}']),
  skopeo: version(await findTool('skopeo'), ['--version']),
  curl: version('curl', ['--version']),
  tar: version('tar', ['--version']),
};

const groups = [...new Set(rows.map((r) => `${r.registry}|${r.workload}|${r.op}`))];
const day = new Date().toISOString().slice(0, 10);
const lines = [
  `# bench — ${day}`,
  '',
  `${RUNS} runs each, in alternation; median seconds (min-max); peak RSS MiB (median). Artifacts of ${fmt(total / GiB, 2)} GiB (1 layer, and ${layerCount} layers); package: ${packageFiles} files of incompressible data. Page cache flushed (sync) before every command. ocicat/limit and ocicat/best peer are ratios of median times (below 1: ocicat is faster).`,
  '',
  `Machine: ${cpus().length} cores, ${fmt(totalmem() / GiB, 0)} GiB, shared (medians and ratios only). Tools: ${Object.entries(
    versions,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.`,
  ...(unavailable.length ? ['', `Not measured: ${unavailable.join('; ')}.`] : []),
  '',
  '| registry | workload | op | tool | seconds | peak RSS MiB | ocicat / limit | ocicat / best peer | targets |',
  '|---|---|---|---|---|---|---|---|---|',
];
const json: unknown[] = [];
const missed: string[] = [];
for (const g of groups) {
  const [registry, workload, op] = g.split('|') as [string, string, Row['op']];
  const inGroup = rows.filter((r) => r.registry === registry && r.workload === workload && r.op === op);
  const ours = inGroup.find((r) => r.tool === 'ocicat');
  const limit = inGroup.find((r) => r.tool === 'curl (limit)' || r.tool === 'tar -czf');
  const peers = inGroup.filter((r) => r !== ours && r !== limit);
  const best = peers.length ? Math.min(...peers.map(med)) : undefined;
  for (const r of inGroup) {
    const secs = r.samples.map((s) => s.seconds);
    const isOurs = r === ours;
    const vsLimit = isOurs && limit ? med(r) / med(limit) : undefined;
    const vsPeer = isOurs && best !== undefined ? med(r) / best : undefined;
    const t = isOurs ? targets(op, vsLimit, vsPeer, rss(r)) : [];
    for (const x of t.filter((x) => !x.met))
      missed.push(`${registry} ${workload} ${op}: ${x.target} (${x.figure})`);
    const cell = t.map((x) => `${x.met ? 'met' : '**missed**'}: ${x.target} (${x.figure})`).join('; ');
    lines.push(
      `| ${registry} | ${workload} | ${op} | ${r.tool} | ${fmt(med(r))} (${fmt(Math.min(...secs))}-${fmt(Math.max(...secs))}) | ${fmt(rss(r), 0)} | ${vsLimit !== undefined ? fmt(vsLimit) : ''} | ${vsPeer !== undefined ? fmt(vsPeer) : ''} | ${cell} |`,
    );
    json.push({
      registry,
      workload,
      op,
      tool: r.tool,
      samples: r.samples,
      medianSeconds: med(r),
      medianPeakRssMiB: rss(r),
      ...(isOurs ? { ratioToLimit: vsLimit ?? null, ratioToBestPeer: vsPeer ?? null, targets: t } : {}),
    });
  }
}
lines.push(
  '',
  missed.length ? `Targets missed: ${missed.length}.` : 'Every target met.',
  ...missed.map((m) => `- ${m}`),
);
await mkdir(OUT, { recursive: true });
await writeFile(join(OUT, `${day}.md`), `${lines.join('\n')}\n`);
await writeFile(
  join(OUT, `${day}.json`),
  `${JSON.stringify({ date: day, runs: RUNS, bytes: total, layers: layerCount, packageFiles, versions, unavailable, rows: json }, null, 2)}\n`,
);
log(lines.join('\n'));
log(`\nwritten: ${relative(ROOT, join(OUT, `${day}.md`))} and .json`);
