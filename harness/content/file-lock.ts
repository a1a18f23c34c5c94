// An advisory lock file beside what it guards: created with O_EXCL, holding the
// owner's pid. A lock whose owner is gone (killed, Ctrl-C) is taken over; a lock
// held too long by a live process ends the wait with LOCK_TIMEOUT.
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { OcicatError } from '../errors.ts';
import { trackTemp, untrackTemp } from '../util/temp-files.ts';

export interface LockOptions {
  timeoutMs?: number;
  pollMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stale(lockPath: string): Promise<boolean> {
  try {
    const [pid, host] = (await readFile(lockPath, 'utf8')).split('\n');
    if (host !== hostname()) return false;
    return !alive(Number(pid));
  } catch {
    return false; // unreadable or half written: wait for it
  }
}

export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const poll = options.pollMs ?? 20;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      trackTemp(lockPath);
      try {
        await fh.writeFile(`${process.pid}\n${hostname()}\n`);
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (await stale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new OcicatError('LOCK_TIMEOUT', `timed out waiting for the lock ${lockPath}`, {
          hint: 'another ocicat process is using the cache; remove the lock file if none is',
        });
      }
      await new Promise((r) => setTimeout(r, poll + Math.random() * poll));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
    untrackTemp(lockPath);
  }
}
