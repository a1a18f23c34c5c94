// The run's journal of writes (harness/remote/write-log.ts), one JSON line each,
// appended synchronously as they happen: the orchestrator reads it after the run,
// or after Ctrl-C, and deletes what a registry it did not start received.
import { appendFileSync, readFileSync } from 'node:fs';
import { onWrite, type WriteRecord } from '../../harness/remote/write-log.ts';

export const WRITES_ENV = 'OCICAT_WRITES_FILE';
let subscribed = false;

/** In a suite process: journal every write to the file the orchestrator named (once per process). */
export function journalWrites(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[WRITES_ENV];
  if (!file || subscribed) return;
  subscribed = true;
  onWrite((r) => appendFileSync(file, `${JSON.stringify(r)}\n`));
}

/** The journal, in the order of the writes; a torn last line (a killed process) is skipped. */
export function readJournal(file: string): WriteRecord[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: WriteRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as WriteRecord);
    } catch {
      // a line cut by a kill
    }
  }
  return out;
}
