import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { trackTemp, untrackTemp } from './temp-files.ts';

/**
 * Write through a temp file in `dir` and rename it into place: readers see the
 * old or the new, never half. The temp file is removed on failure and on Ctrl-C
 * (temp-files.ts). `finalOf` may depend on what was written (e.g. its digest).
 */
export async function writeThenRename<T>(
  dir: string,
  label: string,
  write: (tmp: string) => Promise<T>,
  finalOf: (result: T) => string,
): Promise<T> {
  const tmp = join(dir, `.${label}.${randomBytes(6).toString('hex')}.part`);
  trackTemp(tmp);
  try {
    const result = await write(tmp);
    await rename(tmp, finalOf(result));
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    untrackTemp(tmp);
  }
}

/** Write a small file atomically with exactly `mode` (the umask must not change it). */
export async function atomicWrite(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
  await writeThenRename(
    dirname(path),
    basename(path),
    async (tmp) => {
      await writeFile(tmp, data, { mode, flag: 'wx' });
      await chmod(tmp, mode);
    },
    () => path,
  );
}
