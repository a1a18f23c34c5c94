// Where the registry binaries and peer tools are: the project's tools dir (built
// by `npm run setup` with go install; outside the clone so that rebuilds are
// rare), then the PATH.
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

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
