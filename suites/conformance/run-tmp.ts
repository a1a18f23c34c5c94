// One temporary folder per conformance run, holding everything the run writes
// outside its report: the suite's rows and journal, each feature's scratch (the
// peer tools' config.json, ocicat homes with their credentials.json), the official
// suite's results. It is removed at the end, on every signal the run catches
// (SIGINT, SIGTERM, SIGHUP), and, for a run that could not catch its end (SIGKILL,
// a crash), by the next run's start (issue 24 N10: a vendor run ended by a signal
// left base64 user:password files under $TMPDIR).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive as alive } from '../../harness/util/process-alive.ts';

export const RUN_TMP_ENV = 'OCICAT_RUN_TMP';
// its own prefix: a sweep must never meet another tool's or a test's folder
const PREFIX = 'ocicat-run-';
const OWNER = 'owner';

/** Where a run's scratch goes: its folder in the run's processes, the system's elsewhere. */
export function runTmp(): string {
  return process.env[RUN_TMP_ENV] ?? tmpdir();
}

/** The folders of earlier runs on this host whose process is gone; returns what was removed. */
export function sweepAbandonedRuns(root = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const n of names) {
    if (!n.startsWith(PREFIX)) continue;
    const dir = join(root, n);
    let abandoned: boolean;
    try {
      const [pid, host] = readFileSync(join(dir, OWNER), 'utf8').split('\n');
      abandoned = host === hostname() && !alive(Number(pid));
    } catch {
      // no owner file: a run of ocicat before issue 24, or one killed as it began
      try {
        abandoned = Date.now() - statSync(dir).mtimeMs > 60 * 60 * 1000;
      } catch {
        abandoned = false;
      }
    }
    if (abandoned) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}

/** A new run folder (abandoned ones swept first), named in RUN_TMP_ENV for the run's processes. */
export function makeRunTmp(): string {
  sweepAbandonedRuns();
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, OWNER), `${process.pid}\n${hostname()}\n`, { mode: 0o600 });
  process.env[RUN_TMP_ENV] = dir;
  return dir;
}

export function removeRunTmp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
