// The process provider: the registry binary with a generated config in a temp
// dir, on a free loopback port; ready when /v2/ answers. stop() ends the process
// (SIGTERM, then SIGKILL) and removes the temp dir and any token server.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Agent } from 'undici';
import type { RegistryDefinition } from '../definition.ts';
import { freePort } from '../process/free-port.ts';
import { waitForV2 } from '../process/wait.ts';
import type { StartedRegistry } from '../types.ts';
import { type ProviderOptions, prepareFor, setupOf } from './prepare.ts';

export type ProcessOptions = ProviderOptions;

export async function startProcess(
  def: RegistryDefinition,
  options: ProcessOptions = {},
): Promise<StartedRegistry> {
  const auth = options.auth ?? 'anonymous';
  const binary = await def.binary();
  const version = await def.version(binary);
  const port = await freePort(options.listen?.address);
  const p = await prepareFor(def, options, port);
  const host = `${options.listen?.name ?? '127.0.0.1'}:${port}`;
  const scheme = p.tls ? 'https' : 'http';
  let child!: ChildProcess;
  let exited = false;
  // (Re)start the registry process on the same port, config and storage.
  const launch = async () => {
    // The registry's log goes to a file in the run dir, not a pipe: a pipe nobody
    // drains (the parent busy in a synchronous call) fills up and stalls the registry.
    const logFd = openSync(join(p.dir, 'registry.log'), 'a');
    child = spawn(binary, p.launch.args, {
      stdio: ['ignore', 'ignore', logFd],
      env: { ...process.env, ...p.launch.env },
    });
    closeSync(logFd);
    exited = false;
    child.on('exit', () => {
      exited = true;
    });
    await waitForV2(
      `${scheme}://${host}`,
      20_000,
      () => !exited,
      p.tls ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined,
    );
  };
  const kill = async (signal: NodeJS.Signals) => {
    if (exited) return;
    const done = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await done;
    clearTimeout(t);
  };
  const stop = async () => {
    await kill('SIGTERM');
    await p.cleanup();
  };
  try {
    await launch();
  } catch (e) {
    const log = readFileSync(join(p.dir, 'registry.log'), 'utf8').slice(-4000);
    await stop();
    throw new Error(`${def.title} did not start: ${(e as Error).message}\n${log}`);
  }
  return {
    name: def.name,
    version,
    provider: 'process',
    auth,
    host,
    plainHttp: !p.tls,
    expected: def.expected,
    get pid() {
      return child.pid!;
    },
    /** Kill the registry (SIGKILL: no clean shutdown), wait `downMs`, start it again on the same port and storage. */
    async restart(downMs = 0) {
      await kill('SIGKILL');
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    dir: p.dir,
    setup: setupOf(p, { binary: basename(binary) }),
    ...(p.login ? { login: p.login } : {}),
    ...(p.tls ? { caFile: p.tls.caFile } : {}),
    ...(p.token ? { token: p.token } : {}),
    url: () => `${scheme}://${host}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
