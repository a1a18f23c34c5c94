// A real forward proxy for the proxy suite (issue 16): Debian's tinyproxy on
// 127.0.0.1, in the foreground, its log (one "Request" line per request it
// carried: "CONNECT host:port" for a tunnel, "GET http://host/..." for plain
// HTTP) read back as evidence of what went through it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../registries/process/free-port.ts';
import { makeTls } from '../../registries/tls/ca.ts';

export interface Tinyproxy {
  /** http://[user:password@]127.0.0.1:port */
  url: string;
  /** The "Request" lines logged so far. */
  requests(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface TinyproxyOptions {
  /** Ask clients for these credentials (407 otherwise). */
  auth?: { user: string; password: string };
  /** Allow CONNECT to port 443 only: a CONNECT to a registry elsewhere is refused (403). */
  connectOnly443?: boolean;
}

/** Why tinyproxy cannot run here, or undefined. */
export function tinyproxyMissing(): string | undefined {
  return spawnSync('tinyproxy', ['-v']).status === 0
    ? undefined
    : 'tinyproxy is not installed (npm run setup installs it: apt-get install tinyproxy)';
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'ocicat-tinyproxy-'));
  const port = await freePort();
  const log = join(dir, 'tinyproxy.log');
  await writeFile(
    join(dir, 'tinyproxy.conf'),
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      `LogFile "${log}"`,
      'LogLevel Connect',
      'MaxClients 64',
      'Allow 127.0.0.1',
      ...(options.auth ? [`BasicAuth ${options.auth.user} ${options.auth.password}`] : []),
      ...(options.connectOnly443 ? ['ConnectPort 443'] : []),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], {
    stdio: 'ignore',
  });
  // listening once it accepts a connection (or give up after 5 s)
  const until = Date.now() + 5_000;
  while (!(await accepts(port))) {
    if (Date.now() > until || child.exitCode !== null) {
      child.kill();
      throw new Error(
        `tinyproxy did not start: ${(await readFile(log, 'utf8').catch(() => '')).slice(-500)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const auth = options.auth ? `${options.auth.user}:${encodeURIComponent(options.auth.password)}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    async requests() {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text
        .split('\n')
        .map((l) => l.match(/Request \(file descriptor \d+\): (.*)$/)?.[1])
        .filter((l): l is string => !!l);
    },
    async stop() {
      child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Why stunnel cannot run here, or undefined. */
export function stunnelMissing(): string | undefined {
  return spawnSync('stunnel', ['-version']).error === undefined
    ? undefined
    : 'stunnel is not installed (npm run setup installs it: apt-get install stunnel4)';
}

/**
 * An HTTPS proxy: stunnel terminating TLS (a certificate for 127.0.0.1 from a CA
 * made for the run) in front of a proxy that speaks plain HTTP.
 */
export async function startTlsFront(
  behind: Tinyproxy,
): Promise<{ url: string; caFile: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ocicat-stunnel-'));
  const tls = await makeTls(dir);
  const port = await freePort();
  const target = new URL(behind.url);
  await writeFile(
    join(dir, 'stunnel.conf'),
    [
      'foreground = yes',
      `output = ${join(dir, 'stunnel.log')}`,
      '[proxy]',
      `accept = 127.0.0.1:${port}`,
      `connect = 127.0.0.1:${target.port}`,
      `cert = ${tls.certFile}`,
      `key = ${tls.keyFile}`,
      '',
    ].join('\n'),
  );
  const child = spawn('stunnel', [join(dir, 'stunnel.conf')], { stdio: 'ignore' });
  const until = Date.now() + 5_000;
  while (!(await accepts(port))) {
    if (Date.now() > until || child.exitCode !== null) {
      child.kill();
      throw new Error(
        `stunnel did not start: ${(await readFile(join(dir, 'stunnel.log'), 'utf8').catch(() => '')).slice(-500)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const auth = target.username ? `${target.username}:${target.password}@` : '';
  return {
    url: `https://${auth}127.0.0.1:${port}`,
    caFile: tls.caFile,
    async stop() {
      child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
