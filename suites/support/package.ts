// The package a publish would upload (issue 16): `npm pack` of the repository
// (its prepack builds dist/), installed with `npm install -g --prefix` as a user
// installs it, outside the repository.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

export interface Installed {
  tarball: string;
  prefix: string;
  /** The installed package's bin/ocicat.js (what the `ocicat` link on PATH points at). */
  bin: string;
  /** The folder `ocicat` was linked into. */
  binDir: string;
}

/** `npm pack` of the repository into `dir`: the tarball's path. */
export async function pack(dir: string): Promise<string> {
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', dir], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return join(dir, packed.stdout.trim().split('\n').pop()!);
}

export async function packAndInstall(dir: string): Promise<Installed> {
  const tarball = await pack(dir);
  const prefix = join(dir, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    tarball,
    prefix,
    bin: join(prefix, 'lib', 'node_modules', 'ocicat', 'bin', 'ocicat.js'),
    binDir: join(prefix, 'bin'),
  };
}

/** Every distinct Node on PATH (and the one running), with its version: the package must run on each it accepts. */
export async function nodesOnPath(): Promise<{ node: string; version: string }[]> {
  const seen = new Map<string, string>();
  const candidates = [
    process.execPath,
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'node')),
  ];
  for (const node of candidates) {
    if (!existsSync(node)) continue;
    try {
      const { stdout } = await run(node, ['--version']);
      const version = stdout.trim();
      if (![...seen.values()].includes(version)) seen.set(node, version);
    } catch {
      // not there, or not runnable
    }
  }
  return [...seen].map(([node, version]) => ({ node, version }));
}
