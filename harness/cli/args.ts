// Argument parsing on node:util parseArgs: global options on every command,
// then each command's own. Anything unknown is a usage error (exit 2).
import { parseArgs } from 'node:util';
import { OcicatError } from '../errors.ts';
import { suggestion } from './help.ts';

export const GLOBAL_OPTIONS = {
  home: { type: 'string' },
  'plain-http': { type: 'boolean' },
  'ca-file': { type: 'string' },
  insecure: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  debug: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The deadline of a whole command unless --timeout says otherwise (README "Timeouts and limits"). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30 * 60_000;

/** "90s", "30m", "2h", "1500ms" or plain seconds; "0" for none. Milliseconds, 0 for none. */
export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m)
    throw new OcicatError('USAGE', `--timeout ${JSON.stringify(v)} is not a duration`, {
      hint: 'e.g. --timeout 90s, 30m, 2h, or 0 for none',
    });
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(argv: string[], own: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...own },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    const message = (e as Error).message.split('\n')[0]!.replace(/^TypeError \[[A-Z_]+\]: /, '');
    // node:util's "Unknown option '--x'. To specify a positional argument ..." made one clear line
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const names = Object.keys({ ...GLOBAL_OPTIONS, ...own }).map((n) => `--${n}`);
      throw new OcicatError('USAGE', `unknown option ${unknown}`, {
        hint: suggestion(unknown, names, 'options'),
      });
    }
    throw new OcicatError('USAGE', message, { hint: 'see ocicat catalog --help' });
  }
}

export function positional(p: Parsed, count: number, usage: string): string[] {
  if (p.positionals.length !== count) {
    throw new OcicatError(
      'USAGE',
      `expected ${count} argument${count === 1 ? '' : 's'}, got ${p.positionals.length}`,
      { hint: `usage: ${usage}` },
    );
  }
  return p.positionals;
}
