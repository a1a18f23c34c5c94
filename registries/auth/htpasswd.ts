import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { RegistryUnavailable } from '../types.ts';

const run = promisify(execFile);

/** A bcrypt htpasswd file (distribution 3 accepts bcrypt only), made by apache2-utils' htpasswd -B. */
export async function writeHtpasswd(path: string, username: string, password: string): Promise<void> {
  let out: string;
  try {
    out = (await run('htpasswd', ['-Bbn', username, password])).stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new RegistryUnavailable('htpasswd not installed (apt-get install apache2-utils)');
    throw e;
  }
  await writeFile(path, out.trim() + '\n', { mode: 0o600 });
}
