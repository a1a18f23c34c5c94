// Argument parsing on node:util parseArgs: global options on every command,
// then each command's own. Anything unknown is a usage error (exit 2).
import { parseArgs } from 'node:util';
import { OcicatError } from '../errors.ts';

export const GLOBAL_OPTIONS = {
  home: { type: 'string' },
  'plain-http': { type: 'boolean' },
  'ca-file': { type: 'string' },
  insecure: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
    throw new OcicatError(
      'USAGE',
      (e as Error).message.split('\n')[0]!.replace(/^TypeError \[[A-Z_]+\]: /, ''),
      { hint: 'see ocicat catalog --help' },
    );
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
