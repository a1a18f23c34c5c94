// distribution 2.8 from Debian's docker-registry package, run as a process:
// `docker-registry serve config.yml` on 127.0.0.1 and a free port, storage in a
// temp dir, delete enabled.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { makeTls, type TlsFiles } from '../tls/ca.ts';
import { type AuthVariant, type Login, RegistryUnavailable, type StartedRegistry } from '../types.ts';
import { freePort } from './free-port.ts';
import { writeHtpasswd } from './htpasswd.ts';
import { waitForV2 } from './wait.ts';

export const DISTRIBUTION2_BINARY = '/usr/bin/docker-registry';

export interface StartOptions {
  auth?: Extract<AuthVariant, 'anonymous' | 'htpasswd'>;
  login?: Login;
  /** Serve HTTPS with a certificate from a CA generated for this run. */
  tls?: boolean;
}

export async function startDistribution2(options: StartOptions = {}): Promise<StartedRegistry> {
  try {
    await access(DISTRIBUTION2_BINARY);
  } catch {
    throw new RegistryUnavailable(`${DISTRIBUTION2_BINARY} not installed (apt-get install docker-registry)`);
  }
  const auth = options.auth ?? 'anonymous';
  const dir = await mkdtemp(join(tmpdir(), 'ocicat-dist2-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const login =
    auth === 'htpasswd'
      ? (options.login ?? { username: 'ocicat', password: randomBytes(12).toString('hex') })
      : undefined;
  let authBlock = '';
  if (login) {
    await writeHtpasswd(join(dir, 'htpasswd'), login.username, login.password);
    authBlock = `auth:\n  htpasswd:\n    realm: ocicat\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: ${host}
  secret: ${randomBytes(16).toString('hex')}
${authBlock}`;
  let tls: TlsFiles | undefined;
  let tlsBlock = '';
  if (options.tls) {
    tls = await makeTls(dir);
    tlsBlock = `  tls:\n    certificate: ${tls.certFile}\n    key: ${tls.keyFile}\n`;
  }
  await writeFile(join(dir, 'config.yml'), config.replace(/^( {2}secret: .*\n)/m, `$1${tlsBlock}`));
  const child: ChildProcess = spawn(DISTRIBUTION2_BINARY, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const scheme = options.tls ? 'https' : 'http';
  const stop = async () => {
    if (!exited) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await done;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForV2(
      `${scheme}://${host}`,
      15_000,
      () => !exited,
      tls ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined,
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  return {
    name: 'distribution2',
    version: '2.8',
    provider: 'process',
    auth: options.tls ? 'tls' : auth,
    host,
    plainHttp: !options.tls,
    ...(login ? { login } : {}),
    ...(tls ? { caFile: tls.caFile } : {}),
    url: () => `${scheme}://${host}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
