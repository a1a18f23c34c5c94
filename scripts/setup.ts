// Provision this machine for the suites: Debian packages for the real registries
// and peer tools. Idempotent: what is there is reported, not reinstalled; what
// cannot be had is reported and does not fail the setup (suites skip it with the reason).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Item {
  what: string;
  /** A file whose presence means the item is installed. */
  check: string;
  apt: string;
}

const ITEMS: Item[] = [
  { what: 'distribution 2.8 (docker-registry)', check: '/usr/bin/docker-registry', apt: 'docker-registry' },
  { what: 'skopeo', check: '/usr/bin/skopeo', apt: 'skopeo' },
  { what: 'htpasswd (apache2-utils)', check: '/usr/bin/htpasswd', apt: 'apache2-utils' },
  { what: 'GNU time (peak RSS in benchmarks)', check: '/usr/bin/time', apt: 'time' },
  { what: 'curl', check: '/usr/bin/curl', apt: 'curl' },
];

const started = Date.now();
const already: string[] = [];
const installed: string[] = [];
const unavailable: string[] = [];

const missing = ITEMS.filter((i) => {
  if (existsSync(i.check)) {
    already.push(i.what);
    return false;
  }
  return true;
});

if (missing.length) {
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('which', ['apt-get']).status === 0;
  if (!isRoot || !hasApt) {
    for (const i of missing) unavailable.push(`${i.what}: needs root and apt-get (apt-get install ${i.apt})`);
  } else {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      execFileSync(
        'apt-get',
        ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((i) => i.apt)],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
          env,
        },
      );
    } catch (e) {
      process.stderr.write(`apt-get failed: ${(e as Error).message.split('\n')[0]}\n`);
    }
    for (const i of missing)
      (existsSync(i.check) ? installed : unavailable).push(
        existsSync(i.check) ? i.what : `${i.what}: apt-get install ${i.apt} failed`,
      );
  }
}

const line = (label: string, list: string[]) =>
  process.stdout.write(`${label.padEnd(12)} ${list.length ? list.join(', ') : '-'}\n`);
line('installed', installed);
line('present', already);
line('unavailable', unavailable);
process.stdout.write(`setup took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
