import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { RegistryUnavailable } from '../types.ts';

const run = promisify(execFile);

/**
 * A bcrypt htpasswd file (distribution 3 accepts bcrypt only), made by apache2-utils'
 * htpasswd -B at bcrypt's lowest cost, 4: the registry checks it on every request,
 * and the conformance matrix makes thousands (what is tested is the Basic exchange,
 * not the hash's strength; the password is random and lives as long as the run).
 */
export async function writeHtpasswd(path: string, username: string, password: string): Promise<void> {
  let out: string;
  try {
    out = (await run('htpasswd', ['-Bbn', '-C', '4', username, password])).stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new RegistryUnavailable('htpasswd not installed (apt-get install apache2-utils)');
    throw e;
  }
  await writeFile(path, out.trim() + '\n', { mode: 0o600 });
}
