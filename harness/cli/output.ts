// How the CLI speaks: results on stdout (text, or JSON with --json), notes and
// errors on stderr, one line each; stack traces only with --debug.
import { OcicatError } from '../errors.ts';
import { scrub } from '../remote/redact.ts';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
}

export const processIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: process.stderr.isTTY === true,
};

export function exitCodeFor(e: unknown): number {
  return e instanceof OcicatError && e.isInput ? 2 : 1;
}

/**
 * Text that may come from a registry, made safe for a terminal: escape sequences
 * (CSI, OSC) and every other control character removed (issue 18: a registry's
 * error text once reached the terminal raw).
 */
export function plainText(s: string): string {
  return s
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

/**
 * The Io a command prints through: every line of its text made plainText (issue
 * 24 N8: annotation keys and values in inspect, a link's name in a warning, reached
 * the terminal raw). JSON output is left as it is: JSON escapes control characters.
 */
export function plainIo(io: Io): Io {
  const plain = (s: string) => s.split('\n').map(plainText).join('\n');
  return { ...io, out: (s) => io.out(plain(s)), err: (s) => io.err(plain(s)) };
}

/** Print an error as one line (plus a hint), never a stack unless debugging. */
export function printError(io: Io, e: unknown, debug: boolean, secrets: string[]): void {
  const clean = (s: string) => plainText(scrub(s, secrets)).replace(/\s*\n\s*/g, ' ');
  if (e instanceof OcicatError) {
    io.err(`error: ${clean(e.message)}\n`);
    if (e.hint) io.err(`hint: ${clean(e.hint)}\n`);
  } else {
    const err = e as NodeJS.ErrnoException;
    const msg =
      err?.code === 'EACCES' || err?.code === 'ENOSPC' || err?.code === 'EROFS'
        ? `${err.code}: ${err.message}`
        : (err?.message ?? String(e));
    io.err(`error: ${clean(msg)}\n`);
  }
  if (debug) {
    let cur: unknown = e;
    for (let i = 0; cur && i < 8; i++, cur = (cur as { cause?: unknown }).cause) {
      io.err(`${clean(String((cur as Error).stack ?? cur))}\n`);
    }
  }
}

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') +
    '\n'
  );
}
