// npm run bench:catalog (and the second half of npm run bench): the catalog
// workflow as users feel it (issue 17), each op against an honest limit measured
// in the same run on the same bytes:
//   package    ocicat catalog package         tar -c | gzip -1 (one pass, the same work)
//   push       ocicat catalog push            curl: POST, then one monolithic PUT of the layer
//   pull       ocicat catalog pull (new cache) curl GET | gunzip | tar -x (download, inflate, extract)
//   promote    push --from, same registry     curl: a cross-repository mount (POST ?mount=)
//   promote    push --from, other registry    curl: POST, then one monolithic PUT of the layer
//   promote    push --from, not cached         no limit; its peers are oras cp and crane copy (issue 28:
//              (a machine that has not pulled)  they stream registry to registry; ocicat also caches)
//   unpackage  ocicat catalog unpackage       tar -xzf
// and, beside the limits, the peers a user would reach for (issue 28): pull against
// `oras pull` (which downloads, verifies and unpacks the layer as its annotation asks:
// the same work but the cache), promote not cached against oras cp and crane copy.
// for a catalog of one incompressible 1 GiB file (plus Catalog.yaml) and one of
// 10,000 files, against distribution 2.8 over TLS (as the kubara comparison in
// issue 17 was measured). Commands run in alternation, BENCH_RUNS times (default
// 5), the page cache flushed before each (sync, untimed); medians with ranges,
// peak RSS, the ratio to the limit and each target met or missed. Writes
// reports/bench/<date>-catalog.md and .json.
//   BENCH_RUNS (5), BENCH_CATALOG_GIB (1), BENCH_CATALOG_FILES (10000),
//   BENCH_CATALOG_FILE_KIB (10), BENCH_CATALOG_OPS (every op; e.g. "pull,promote (not cached)"),
//   BENCH_CATALOG_NAME (the report's name after the date: catalog), BENCH_OUT (reports/bench)
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { generatedRange, writeGenerated } from '../fixtures/generated-source.ts';
import { startDistribution2 } from '../registries/process/distribution2.ts';
import { findTool } from '../registries/tools.ts';
import type { StartedRegistry } from '../registries/types.ts';
import { measure as measureCommand, median, type Sample } from './bench/measure.ts';
import { buildAll } from './build.ts';

const GiB = 1024 ** 3;
const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const bigBytes = Math.round(Number(process.env.BENCH_CATALOG_GIB ?? 1) * GiB);
const manyFiles = Number(process.env.BENCH_CATALOG_FILES ?? 10_000);
const fileKiB = Number(process.env.BENCH_CATALOG_FILE_KIB ?? 10);
const OUT = resolve(process.env.BENCH_OUT ?? join(ROOT, 'reports', 'bench'));
const BIN = join(ROOT, 'bin', 'ocicat.js');
const node = process.execPath;
const log = (s: string) => process.stdout.write(`${s}\n`);

/** Flush dirty pages first (untimed): one command's writes must not slow the next one's. */
function measure(cmd: string, args: string[]): Promise<Sample> {
  execFileSync('sync');
  return measureCommand(cmd, args);
}

type Op =
  | 'package'
  | 'push'
  | 'pull'
  | 'promote (same registry)'
  | 'promote (other registry)'
  | 'promote (not cached)'
  | 'unpackage';
type Kind = 'ocicat' | 'limit' | 'peer';
interface Row {
  workload: string;
  op: Op;
  tool: string;
  kind: Kind;
  samples: Sample[];
}
const rows: Row[] = [];
function add(workload: string, op: Op, tool: string, kind: Kind, s: Sample): void {
  let row = rows.find((r) => r.workload === workload && r.op === op && r.tool === tool);
  if (!row) {
    row = { workload, op, tool, kind, samples: [] };
    rows.push(row);
  }
  row.samples.push(s);
}
const OPS = process.env.BENCH_CATALOG_OPS?.split(',').map((o) => o.trim()) as Op[] | undefined;
const NAME = process.env.BENCH_CATALOG_NAME ?? 'catalog';
/** Whether this run measures the op (BENCH_CATALOG_OPS). */
const wanted = (op: Op) => !OPS || OPS.includes(op);

const CATALOG_YAML = (name: string) =>
  `apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: ${name}\nspec:\n  version: 1.0.0\n`;

async function bigCatalog(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'Catalog.yaml'), CATALOG_YAML('big'));
  await writeGenerated(join(dir, 'blob.bin'), 'catalog-big', bigBytes);
}

async function manyCatalog(dir: string): Promise<void> {
  await mkdir(join(dir, 'files'), { recursive: true });
  await writeFile(join(dir, 'Catalog.yaml'), CATALOG_YAML('many'));
  for (let i = 0; i < manyFiles; i++) {
    const parts: Buffer[] = [];
    for await (const c of generatedRange(`many-${i}`, 0, fileKiB * 1024)) parts.push(c as Buffer);
    // 100 folders of 100 files, as charts and services spread out
    const sub = join(dir, 'files', `d${String(i % 100).padStart(2, '0')}`);
    if (i < 100) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${String(i).padStart(5, '0')}.yaml`), Buffer.concat(parts));
  }
}

/** The layer blob of the one catalog a home's cache holds: its file and digest. */
async function cachedLayer(home: string): Promise<{ path: string; digest: string }> {
  const found: Array<{ path: string; size: number }> = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (p.includes('/blobs/sha256/')) {
        found.push({ path: p, size: (await stat(p)).size });
      }
    }
  };
  await walk(join(home, 'cache'));
  const layer = found.sort((a, b) => b.size - a.size)[0]!;
  return { path: layer.path, digest: `sha256:${layer.path.split('/').pop()}` };
}

function curlScript(lines: string[]): string[] {
  return ['-c', `set -euo pipefail\n${lines.join('\n')}`];
}
const curlUpload = (ca: string, host: string, repo: string, file: string, digest: string) => [
  `loc=$(curl -sS --cacert '${ca}' -o /dev/null -D - -X POST "https://${host}/v2/${repo}/blobs/uploads/" | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')`,
  `case "$loc" in http*) ;; *) loc="https://${host}$loc";; esac`,
  `curl -sS -f --cacert '${ca}' -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' -T '${file}' "$loc&digest=${digest}"`,
];

/** The same work as a promote within a registry: mount each blob, PUT the manifest. */
const curlMount = (
  ca: string,
  host: string,
  repo: string,
  from: string,
  digests: string[],
  manifest: string,
) => [
  ...digests.map(
    (d) =>
      `curl -sS -f --cacert '${ca}' -o /dev/null -X POST "https://${host}/v2/${repo}/blobs/uploads/?mount=${d}&from=${from}"`,
  ),
  `curl -sS -f --cacert '${ca}' -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary '@${manifest}' "https://${host}/v2/${repo}/manifests/1.0.0"`,
];

const work = await mkdtemp(join(tmpdir(), 'ocicat-bench-catalog-'));
const registries: StartedRegistry[] = [];
let seq = 0;
const fresh = (what: string) => `bench/${what}-${seq++}`;
const oras = await findTool('oras');
const crane = await findTool('crane');
try {
  await buildAll();
  const a = await startDistribution2({ tls: true });
  registries.push(a);
  const b = await startDistribution2({ tls: true });
  registries.push(b);
  // a size of 0 leaves a workload out (the nightly's 8 GiB run has only the big one)
  const workloads = [
    { name: `${(bigBytes / GiB).toFixed(2)} GiB, 1 file`, make: bigCatalog, catalog: 'big', n: bigBytes },
    { name: `${manyFiles} files of ${fileKiB} KiB`, make: manyCatalog, catalog: 'many', n: manyFiles },
  ].filter((w) => w.n > 0);
  for (const w of workloads) {
    const src = join(work, `src-${w.catalog}`);
    await w.make(src);
    log(`${w.name}: made`);
    // the catalog as pushed once, for pull, promote and unpackage
    const home = join(work, `home-${w.catalog}`);
    const ca = ['--ca-file', a.caFile!, '--no-progress', '--home', home];
    const base = `oci://${a.host}/bench/${w.catalog}`;
    const ocicat = (args: string[]) => [BIN, 'catalog', ...args];
    execFileSync(node, ocicat(['package', `oci://${a.host}/bench/`, '--work-dir', src, ...ca]));
    execFileSync(node, ocicat(['push', `${base}:1.0.0`, ...ca]));
    const layer = await cachedLayer(home);
    // the manifest as pushed, for the curl promote (mount both blobs, PUT it)
    const manifestFile = join(work, `manifest-${w.catalog}.json`);
    execFileSync('curl', [
      '-sS',
      '-f',
      '--cacert',
      a.caFile!,
      '-H',
      'Accept: application/vnd.oci.image.manifest.v1+json',
      '-o',
      manifestFile,
      `https://${a.host}/v2/bench/${w.catalog}/manifests/1.0.0`,
    ]);
    const config = (JSON.parse(await readFile(manifestFile, 'utf8')) as { config: { digest: string } }).config
      .digest;
    // the other registry has its own CA: both CAs in one file for the promote
    const bothCa = join(work, 'both-ca.pem');
    await writeFile(bothCa, (await readFile(a.caFile!, 'utf8')) + (await readFile(b.caFile!, 'utf8')));
    /** One measured run of ocicat, and one of the op's limit. */
    const ours = async (op: Op, args: string[]) => {
      // the pull fills the home the promotes and the unpackage read: it runs whatever is measured
      if (!wanted(op) && op !== 'pull') return;
      const s = await measure(node, ocicat(args));
      if (wanted(op)) add(w.name, op, 'ocicat', 'ocicat', s);
    };
    const limit = async (op: Op, tool: string, cmd: string, args: string[]) => {
      if (wanted(op)) add(w.name, op, tool, 'limit', await measure(cmd, args));
    };
    const peer = async (op: Op, tool: string, cmd: string, args: string[]) => {
      if (wanted(op)) add(w.name, op, tool, 'peer', await measure(cmd, args));
    };
    for (let run = 0; run < RUNS; run++) {
      // package: into a new cache each time
      const pkgHome = join(work, `pkg-${seq++}`);
      await ours('package', [
        'package',
        'oci://bench.invalid/b/',
        '--work-dir',
        src,
        '--home',
        pkgHome,
        '--no-progress',
      ]);
      await rm(pkgHome, { recursive: true, force: true });
      const tgz = join(work, `pkg-${seq++}.tgz`);
      await limit('package', 'tar -c | gzip -1', 'bash', [
        '-c',
        `set -o pipefail; tar -c -C '${src}' . | gzip -1 > '${tgz}'`,
      ]);
      await rm(tgz, { force: true });
      // push: a cached catalog to a new repository (packaged for it, untimed)
      const pushBase = `oci://${a.host}/${fresh('push')}/`;
      const pushHome = join(work, `push-${seq++}`);
      const pushFlags = ['--ca-file', a.caFile!, '--no-progress', '--home', pushHome];
      if (wanted('push')) execFileSync(node, ocicat(['package', pushBase, '--work-dir', src, ...pushFlags]));
      await ours('push', ['push', `${pushBase}${w.catalog}:1.0.0`, ...pushFlags]);
      await rm(pushHome, { recursive: true, force: true });
      await limit(
        'push',
        'curl PUT',
        'bash',
        curlScript(curlUpload(a.caFile!, a.host, fresh('curl-push'), layer.path, layer.digest)),
      );
      // pull: into a new cache
      const pullHome = join(work, `pull-${seq++}`);
      const pullFlags = ['--ca-file', a.caFile!, '--no-progress', '--home', pullHome];
      await ours('pull', ['pull', `${base}:1.0.0`, ...pullFlags]);
      const extract = join(work, `x-${seq++}`);
      await mkdir(extract);
      await limit(
        'pull',
        'curl | gunzip | tar -x',
        'bash',
        curlScript([
          `curl -sS -f --cacert '${a.caFile}' "https://${a.host}/v2/bench/${w.catalog}/blobs/${layer.digest}" | gunzip | tar -x -C '${extract}'`,
        ]),
      );
      await rm(extract, { recursive: true, force: true });
      if (oras) {
        const orasOut = join(work, `oras-${seq++}`);
        await peer('pull', 'oras pull', oras, [
          'pull',
          `${a.host}/bench/${w.catalog}:1.0.0`,
          '-o',
          orasOut,
          '--ca-file',
          a.caFile!,
        ]);
        // oras unpacks a layer annotated io.deis.oras.content.unpack (as a catalog's is): the tree, not a tarball
        if (run === 0 && wanted('pull'))
          log(`oras pull wrote ${(await readdir(orasOut, { recursive: true })).length} entries`);
        await rm(orasOut, { recursive: true, force: true });
      }
      // promote within the registry (blobs mounted), and to the other one (uploaded from the cache)
      await ours('promote (same registry)', [
        'push',
        `oci://${a.host}/${fresh('promoted')}/${w.catalog}:1.0.0`,
        '--from',
        `${base}:1.0.0`,
        ...pullFlags,
      ]);
      await limit(
        'promote (same registry)',
        'curl mount',
        'bash',
        curlScript(
          curlMount(
            a.caFile!,
            a.host,
            fresh('curl-mount'),
            `bench/${w.catalog}`,
            [layer.digest, config],
            manifestFile,
          ),
        ),
      );
      await ours('promote (other registry)', [
        'push',
        `oci://${b.host}/${fresh('other')}/${w.catalog}:1.0.0`,
        '--from',
        `${base}:1.0.0`,
        '--ca-file',
        bothCa,
        '--no-progress',
        '--home',
        pullHome,
      ]);
      await limit(
        'promote (other registry)',
        'curl PUT',
        'bash',
        curlScript(curlUpload(b.caFile!, b.host, fresh('curl-other'), layer.path, layer.digest)),
      );
      // promote on a machine that has not pulled it (issue 28), and its peers, which
      // stream registry to registry with nothing kept
      const coldHome = join(work, `cold-${seq++}`);
      await ours('promote (not cached)', [
        'push',
        `oci://${b.host}/${fresh('cold')}/${w.catalog}:1.0.0`,
        '--from',
        `${base}:1.0.0`,
        '--ca-file',
        bothCa,
        '--no-progress',
        '--home',
        coldHome,
      ]);
      await rm(coldHome, { recursive: true, force: true });
      if (oras)
        await peer('promote (not cached)', 'oras cp', oras, [
          'cp',
          `${a.host}/bench/${w.catalog}:1.0.0`,
          `${b.host}/${fresh('oras-cp')}/${w.catalog}:1.0.0`,
          '--from-ca-file',
          a.caFile!,
          '--to-ca-file',
          b.caFile!,
        ]);
      if (crane)
        await peer('promote (not cached)', 'crane copy', 'env', [
          `SSL_CERT_FILE=${bothCa}`,
          crane,
          'copy',
          `${a.host}/bench/${w.catalog}:1.0.0`,
          `${b.host}/${fresh('crane-copy')}/${w.catalog}:1.0.0`,
        ]);
      // unpackage: the cached catalog into a new folder
      const out = join(work, `u-${seq++}`);
      await ours('unpackage', ['unpackage', `${base}:1.0.0`, out, '--no-progress', '--home', pullHome]);
      await rm(out, { recursive: true, force: true });
      const out2 = join(work, `t-${seq++}`);
      await mkdir(out2);
      await limit('unpackage', 'tar -xzf', 'tar', ['-xzf', layer.path, '-C', out2]);
      await rm(out2, { recursive: true, force: true });
      await rm(pullHome, { recursive: true, force: true });
      log(`${w.name}: run ${run + 1}/${RUNS} done`);
    }
    await rm(src, { recursive: true, force: true });
  }
} finally {
  for (const r of registries) await r.stop().catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}

// the table
const fmt = (n: number, d = 2) => n.toFixed(d);
const med = (r: Row) => median(r.samples.map((s) => s.seconds));
const rss = (r: Row) => median(r.samples.map((s) => s.peakRssMiB));
/**
 * Issue 17's targets: within 1.25x of the limit (pull: at most 0.9x); peak RSS under
 * 150 MiB. Issue 28's, against the fastest peer: pull at most 0.85x `oras pull`, a
 * promote without a local copy at most 1.0x the faster of oras cp and crane copy.
 */
const PEER_TARGET: Partial<Record<Op, number>> = { pull: 0.85, 'promote (not cached)': 1.0 };
function targets(op: Op, vsLimit: number | undefined, vsPeer: number | undefined, peak: number) {
  const most = op === 'pull' ? 0.9 : 1.25;
  const peerMost = PEER_TARGET[op];
  return [
    ...(vsLimit !== undefined
      ? [{ target: `≤ ${most}× the limit`, met: vsLimit <= most, figure: `${fmt(vsLimit)}×` }]
      : []),
    ...(vsPeer !== undefined && peerMost !== undefined
      ? [{ target: `≤ ${peerMost}× the fastest peer`, met: vsPeer <= peerMost, figure: `${fmt(vsPeer)}×` }]
      : []),
    { target: 'peak RSS < 150 MiB', met: peak < 150, figure: `${fmt(peak, 0)} MiB` },
  ];
}
const day = new Date().toISOString().slice(0, 10);
const versionOf = (cmd: string, args: string[]) => {
  try {
    return /\d+\.\d+(\.\d+)?/.exec(execFileSync(cmd, args, { encoding: 'utf8' }))?.[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
};
const lines = [
  `# bench: the catalog workflow — ${day}`,
  '',
  `${RUNS} runs each, in alternation; median seconds (min-max); peak RSS MiB (median). distribution 2.8 over TLS (a second one for promote to another registry). The page cache is flushed (sync, untimed) before every command. ocicat / limit and ocicat / peer are ratios of median times (below 1: ocicat is faster); a peer is the tool a user would reach for instead, the fastest where there are several.`,
  '',
  `Machine: ${cpus().length} cores, ${fmt(totalmem() / GiB, 0)} GiB, shared (medians and ratios only). node ${process.version}, curl ${versionOf('curl', ['--version'])}, tar ${versionOf('tar', ['--version'])}, gzip ${versionOf('gzip', ['--version'])}.`,
  '',
  '| workload | op | tool | seconds | peak RSS MiB | ocicat / limit | ocicat / peer | targets |',
  '|---|---|---|---|---|---|---|---|',
];
const missed: string[] = [];
const json: unknown[] = [];
for (const r of rows) {
  const secs = r.samples.map((s) => s.seconds);
  // the op's limit and its fastest peer (oras cp or crane copy, whichever is faster)
  const fastest = (kind: Kind) =>
    rows
      .filter((x) => x.workload === r.workload && x.op === r.op && x.kind === kind)
      .sort((x, y) => med(x) - med(y))[0];
  const limit = fastest('limit');
  const peerRow = fastest('peer');
  const ours = r.kind === 'ocicat';
  const vs = ours && limit ? med(r) / med(limit) : undefined;
  const vsPeer = ours && peerRow ? med(r) / med(peerRow) : undefined;
  const t = ours ? targets(r.op, vs, vsPeer, rss(r)) : [];
  for (const x of t.filter((x) => !x.met)) missed.push(`${r.workload} ${r.op}: ${x.target} (${x.figure})`);
  lines.push(
    `| ${r.workload} | ${r.op} | ${r.tool.replaceAll('|', '\\|')}${r.kind === 'ocicat' ? '' : ` (${r.kind})`} | ${fmt(med(r))} (${fmt(Math.min(...secs))}-${fmt(Math.max(...secs))}) | ${fmt(rss(r), 0)} | ${vs !== undefined ? fmt(vs) : ''} | ${vsPeer !== undefined ? `${fmt(vsPeer)} (${peerRow!.tool})` : ''} | ${t.map((x) => `${x.met ? 'met' : '**missed**'}: ${x.target} (${x.figure})`).join('; ')} |`,
  );
  json.push({
    ...r,
    medianSeconds: med(r),
    medianPeakRssMiB: rss(r),
    ...(vs !== undefined ? { ratioToLimit: vs } : {}),
    ...(vsPeer !== undefined ? { ratioToPeer: vsPeer, peer: peerRow!.tool } : {}),
    ...(ours ? { targets: t } : {}),
  });
}
lines.push(
  '',
  missed.length ? `Targets missed: ${missed.length}.` : 'Every target met.',
  ...missed.map((m) => `- ${m}`),
);
await mkdir(OUT, { recursive: true });
await writeFile(join(OUT, `${day}-${NAME}.md`), `${lines.join('\n')}\n`);
await writeFile(
  join(OUT, `${day}-${NAME}.json`),
  `${JSON.stringify({ date: day, runs: RUNS, rows: json }, null, 2)}\n`,
);
log(lines.join('\n'));
log(`\nwritten: ${relative(ROOT, join(OUT, `${day}-${NAME}.md`))} and .json`);
