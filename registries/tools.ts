// Where the registry binaries and peer tools are: the project's tools dir (built
// by `npm run setup` with go install; outside the clone so that rebuilds are
// rare), then the PATH.
import { execFile } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryUnavailable } from './types.ts';

const run = promisify(execFile);

export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OCICAT_TOOLS_DIR ?? join(homedir(), '.cache', 'ocicat', 'tools', 'bin');
}

export async function findTool(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  for (const dir of [toolsDir(env), ...(env.PATH ?? '').split(delimiter).filter(Boolean)]) {
    const p = join(dir, name);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Why setup could not build a tool, when it recorded a reason. */
export async function unavailableReason(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  try {
    return (await readFile(join(toolsDir(env), `.${name}.unavailable`), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** The binary of a tool setup builds, or RegistryUnavailable with the reason setup recorded. */
export async function requireTool(name: string, title: string, how: string): Promise<string> {
  const bin = await findTool(name);
  if (bin) return bin;
  const why = await unavailableReason(name);
  throw new RegistryUnavailable(
    why ? `${title} cannot be built here: ${why}` : `${title} is not built (npm run setup: ${how})`,
  );
}

/**
 * A tool the user brought (README "Bring your own registry"): found in the tools
 * dir or on the PATH, with the version it says it is. A registry's version is the
 * one its definition reads (Zot's own 2.1.20, not the spec version it prints
 * first); another tool's is the first x.y.z of `--version`.
 */
export async function broughtTool(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ path: string; version: string } | undefined> {
  const path = await findTool(name, env);
  if (!path) return undefined;
  const { LOCAL_REGISTRIES } = await import('./definitions/index.ts');
  for (const def of LOCAL_REGISTRIES) {
    const bin = await def.binary().catch(() => undefined);
    if (bin === path) return { path, version: await def.version(path).catch(() => 'unknown') };
  }
  const out = await run(path, ['--version'], { timeout: 10_000 }).catch(
    (e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
  return { path, version: /v?(\d+\.\d+\.\d+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown' };
}
