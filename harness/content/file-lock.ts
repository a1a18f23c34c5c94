// An advisory lock file beside what it guards, holding its owner's pid, host and a
// nonce, created whole (a temp file hard-linked into place: link() fails with
// EEXIST if the lock exists, and no one ever reads a half-written lock). A lock
// whose owner is gone (killed, Ctrl-C) is taken over; a lock held too long by a
// live process ends the wait with LOCK_TIMEOUT.
//
// Taking over is atomic (issue 24 N7: with 8 concurrent pulls, two processes that
// both judged a lock stale could each remove it, the second removing the lock the
// first had just made, and a reference was lost in 1 round of 30). Only the one
// process that creates `<lock>.break-<nonce>` may remove the stale lock with that
// nonce, and it removes it only if the lock still holds that nonce: a new owner's
// lock has another nonce, so it is never removed in the stale one's place.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { OcicatError } from '../errors.ts';
import { processAlive as alive } from '../util/process-alive.ts';
import { trackTemp, untrackTemp } from '../util/temp-files.ts';

export interface LockOptions {
  timeoutMs?: number;
  pollMs?: number;
}

/** A breaker holds its marker for microseconds; one this old was left by a breaker that died. */
const ABANDONED_BREAK_MS = 10_000;

interface Holder {
  pid: number;
  host: string;
  /** Unique per acquisition; "" in locks of ocicat before issue 24. */
  nonce: string;
  ino: number;
}

async function holder(lockPath: string): Promise<Holder | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const [pid, host, nonce] = text.split('\n');
    return { pid: Number(pid), host: host ?? '', nonce: nonce ?? '', ino: st.ino };
  } catch {
    return undefined; // gone meanwhile: try again
  }
}

const same = (a: Holder | undefined, b: Holder) =>
  a !== undefined &&
  a.pid === b.pid &&
  a.host === b.host &&
  a.nonce === b.nonce &&
  (b.nonce !== '' || a.ino === b.ino);

/** Create `path` with `text` in one step (link of a temp file); false if it exists. */
async function createWhole(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Remove the stale lock `h`, if this process is the one that may; true if it was removed or is gone. */
async function breakStale(lockPath: string, h: Holder): Promise<void> {
  const marker = `${lockPath}.break-${h.nonce || `pid${h.pid}-ino${h.ino}`}`;
  if (!(await createWhole(marker, `${process.pid}\n`))) {
    const st = await stat(marker).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > ABANDONED_BREAK_MS) await rm(marker, { force: true });
    return; // another process is breaking it
  }
  trackTemp(marker);
  try {
    if (same(await holder(lockPath), h)) await rm(lockPath, { force: true });
  } finally {
    await rm(marker, { force: true });
    untrackTemp(marker);
  }
}

export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const poll = options.pollMs ?? 20;
  const me = `${process.pid}\n${hostname()}\n${randomBytes(8).toString('hex')}\n`;
  for (;;) {
    if (await createWhole(lockPath, me)) {
      trackTemp(lockPath);
      break;
    }
    const h = await holder(lockPath);
    if (h === undefined) continue;
    if (h.host === hostname() && !alive(h.pid)) {
      await breakStale(lockPath, h);
      continue;
    }
    if (Date.now() > deadline) {
      throw new OcicatError('LOCK_TIMEOUT', `timed out waiting for the lock ${lockPath}`, {
        hint: 'another ocicat process is using the cache; remove the lock file if none is',
      });
    }
    await new Promise((r) => setTimeout(r, poll + Math.random() * poll));
  }
  try {
    return await fn();
  } finally {
    // ours, unless someone broke it (it would then hold another nonce)
    if ((await readFile(lockPath, 'utf8').catch(() => '')) === me) await rm(lockPath, { force: true });
    untrackTemp(lockPath);
  }
}
