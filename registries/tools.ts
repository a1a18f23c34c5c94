// Where the registry binaries and peer tools are: the project's tools dir (built
// by `npm run setup` with go install; outside the clone so that rebuilds are
// rare), then the PATH.
import { access, constants, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { RegistryUnavailable } from './types.ts';

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
