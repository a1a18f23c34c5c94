// npm run setup — provision this machine for the suites, idempotently:
//   1. Debian packages: the distribution 2.8 registry, skopeo, htpasswd, openssl,
//      GNU time, curl, the Docker engine;
//   2. go install of distribution 3, Zot, oras, crane, regctl, helm and the official OCI
//      conformance suite into the tools
//      dir (~/.cache/ocicat/tools/bin, outside the clone; GOPATH and GOCACHE beside
//      it), skipping what is already built at the wanted version;
//   3. dockerd started (no bridge network, no iptables) when no engine answers;
//   4. local images under the official names, built from the binaries.
// It prints what it installed, what was there and what is unavailable, with
// the reason. A missing optional piece never fails the setup.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailable, ensureImage } from '../registries/container/images.ts';
import { LOCAL_REGISTRIES } from '../registries/definitions/index.ts';
import { broughtTool, toolsDir } from '../registries/tools.ts';
import { buildAll } from './build.ts';

const started = Date.now();
const installed: string[] = [];
const present: string[] = [];
const unavailable: string[] = [];
const log = (s: string) => process.stdout.write(`${s}\n`);

// 1. Debian packages ---------------------------------------------------------
const APT: Array<{ what: string; check: string; pkg: string }> = [
  { what: 'distribution 2.8', check: '/usr/bin/docker-registry', pkg: 'docker-registry' },
  { what: 'skopeo', check: '/usr/bin/skopeo', pkg: 'skopeo' },
  { what: 'htpasswd', check: '/usr/bin/htpasswd', pkg: 'apache2-utils' },
  { what: 'openssl', check: '/usr/bin/openssl', pkg: 'openssl' },
  { what: 'GNU time', check: '/usr/bin/time', pkg: 'time' },
  { what: 'curl', check: '/usr/bin/curl', pkg: 'curl' },
  { what: 'tinyproxy (the proxy suite)', check: '/usr/bin/tinyproxy', pkg: 'tinyproxy' },
  { what: 'stunnel (an HTTPS proxy for the proxy suite)', check: '/usr/bin/stunnel', pkg: 'stunnel4' },
  { what: 'Docker engine', check: '/usr/sbin/dockerd', pkg: 'docker.io' },
  { what: 'docker-compose', check: '/usr/bin/docker-compose', pkg: 'docker-compose' },
  { what: 'Chromium (report screenshots)', check: '/usr/bin/chromium', pkg: 'chromium' },
];
const missing = APT.filter((i) => {
  if (existsSync(i.check)) present.push(i.what);
  return !existsSync(i.check);
});
if (missing.length) {
  const root = process.getuid?.() === 0;
  const apt = spawnSync('which', ['apt-get']).status === 0;
  if (!root || !apt) {
    for (const i of missing) unavailable.push(`${i.what}: needs root and apt-get (apt-get install ${i.pkg})`);
  } else {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log(`apt-get install ${missing.map((i) => i.pkg).join(' ')}`);
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((i) => i.pkg)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
    for (const i of missing)
      (existsSync(i.check) ? installed : unavailable).push(
        existsSync(i.check) ? i.what : `${i.what}: apt-get install ${i.pkg} failed`,
      );
  }
}

// 2. go install ---------------------------------------------------------------
const bin = toolsDir();
const cache = join(homedir(), '.cache', 'ocicat');
mkdirSync(bin, { recursive: true });
// The pins live in registries/go-tools.json: the GitHub Action (action.yml) builds
// the same versions of the peer tools it needs.
const GO: Array<{
  what: string;
  binary: string;
  module: string;
  version: string;
  /**
   * Built with `go build` from a go.mod that requires this module at the version,
   * into `binary`: for a module the proxy will not `go install` at a version
   * (olareg), or a second version of a binary (distribution 3.1.2 beside 3.1.1).
   */
  require?: string;
  env?: Record<string, string>;
}> = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'registries', 'go-tools.json'), 'utf8'));
const hasGo = spawnSync('go', ['version']).status === 0;
for (const t of GO) {
  const marker = join(bin, `.${t.binary}.version`);
  const reasonFile = join(bin, `.${t.binary}.unavailable`);
  const label = `${t.what} ${t.version}`;
  if (
    existsSync(join(bin, t.binary)) &&
    existsSync(marker) &&
    readFileSync(marker, 'utf8').trim() === t.version
  ) {
    present.push(label);
    continue;
  }
  // one the user brought (PATH or OCICAT_TOOLS_DIR) is present, with its own version,
  // when ocicat cannot build the pinned one (Zot here: its module host is refused)
  const yours = async (why: string) => {
    const b = await broughtTool(t.binary);
    if (b) {
      rmSync(reasonFile, { force: true });
      present.push(`${t.what} ${b.version} (yours: ${b.path})`);
    } else {
      unavailable.push(`${label}: ${why}`);
    }
  };
  if (!hasGo) {
    await yours('no Go toolchain');
    continue;
  }
  const t0 = Date.now();
  const goEnv = {
    ...process.env,
    GOPATH: join(cache, 'go'),
    GOCACHE: join(cache, 'go-build'),
    GOBIN: bin,
    GOFLAGS: '-buildvcs=false',
    ...t.env,
  };
  let r: SpawnSyncReturns<string>;
  if (t.require) {
    const work = join(cache, 'gomod', t.binary);
    mkdirSync(work, { recursive: true });
    writeFileSync(
      join(work, 'go.mod'),
      `module ocicat.local/build/${t.binary.replace(/[^a-z0-9]/g, '-')}\n\ngo 1.24\n\nrequire ${t.require} ${t.version}\n`,
    );
    log(`go build ${t.module} (${t.require} ${t.version}) -> ${t.binary}`);
    r = spawnSync('go', ['build', '-o', join(bin, t.binary), t.module], {
      cwd: work,
      env: { ...goEnv, GOFLAGS: '-mod=mod -buildvcs=false' },
      encoding: 'utf8',
    });
  } else {
    log(`go install ${t.module}@${t.version}`);
    r = spawnSync('go', ['install', `${t.module}@${t.version}`], { env: goEnv, encoding: 'utf8' });
  }
  if (r.status === 0) {
    writeFileSync(marker, `${t.version}\n`);
    installed.push(`${label} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } else {
    const err = (r.stderr ?? '').trim().split('\n').filter(Boolean).at(-1) ?? `exit ${r.status}`;
    // e.g. the Go module proxy refusing a module host that is not on its allow-list
    const reason = /not permitted|allowlist|403 Forbidden/.test(r.stderr ?? '')
      ? `the Go module proxy refuses its module host (403 for ${t.module})`
      : err;
    writeFileSync(reasonFile, `${reason}\n`);
    await yours(reason);
  }
}

// 3. a Docker engine ------------------------------------------------------------
let dockerWhy = await dockerAvailable();
if (dockerWhy && existsSync('/usr/sbin/dockerd') && process.getuid?.() === 0) {
  // No bridge network and no iptables: containers use the host network and bind
  // loopback, so no traffic goes to a private container address.
  const out = openSync(join(cache, 'dockerd.log'), 'a');
  spawn('dockerd', ['--bridge=none', '--iptables=false', '--ip-masq=false'], {
    detached: true,
    stdio: ['ignore', out, out],
  }).unref();
  closeSync(out);
  for (let i = 0; i < 60 && dockerWhy; i++) {
    await new Promise((r) => setTimeout(r, 500));
    dockerWhy = await dockerAvailable();
  }
  if (!dockerWhy) installed.push('dockerd (started)');
} else if (!dockerWhy) present.push('Docker engine (running)');
if (dockerWhy) unavailable.push(`containers: ${dockerWhy}`);

// 4. local images ---------------------------------------------------------------
if (!dockerWhy) {
  for (const def of LOCAL_REGISTRIES) {
    try {
      const r = await ensureImage(def);
      (r === 'built' ? installed : present).push(`image ${def.image.name}`);
    } catch (e) {
      unavailable.push(`image ${def.image.name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
}

// 5. the CLI bundle (scripts/build.ts): bin/ocicat.js runs it while it matches the source
await buildAll();
installed.push('dist/ (CLI bundle)');

const line = (label: string, list: string[]) =>
  log(`${label.padEnd(12)} ${list.length ? [...new Set(list)].join(', ') : '-'}`);
line('installed', installed);
line('present', present);
line('unavailable', unavailable);
log(`setup took ${((Date.now() - started) / 1000).toFixed(1)} s`);
