import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { trackTemp, untrackTemp } from './temp-files.ts';

/** Write a file via a temp file in the same directory and a rename: readers see the old or the new, never half. */
export async function atomicWrite(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  trackTemp(tmp);
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    await chmod(tmp, mode); // the umask must not widen or narrow what we asked for
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    untrackTemp(tmp);
  }
}
