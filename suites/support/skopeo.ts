import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { StartedRegistry } from '../../registries/types.ts';

const run = promisify(execFile);

/** skopeo's view of a manifest (a client we did not write), or the reason it cannot run. */
export async function skopeoInspectRaw(
  reg: StartedRegistry,
  repoAndRef: string,
): Promise<{ raw?: Buffer; skip?: string }> {
  const args = ['inspect', '--raw', `--tls-verify=${reg.plainHttp ? 'false' : 'true'}`];
  if (reg.login) args.push('--creds', `${reg.login.username}:${reg.login.password}`);
  args.push(`docker://${reg.host}/${repoAndRef}`);
  try {
    const { stdout } = await run('skopeo', args, { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
    return { raw: stdout };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      return { skip: 'skopeo not installed (apt-get install skopeo)' };
    throw e;
  }
}
