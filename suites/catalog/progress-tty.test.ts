// Progress as a person at a terminal sees it (issue 15): the CLI run on a pseudo-
// terminal (util-linux `script`), against a real distribution 2.8. package shows
// bytes of files, pull shows bytes, speed and time left and ends with one line that
// stays; a conformance run counts features done; piped, none of it appears.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import { ocicat } from '../support/cli.ts';
import { useRegistry } from '../support/use-registry.ts';

const used = useRegistry('progress');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ocicat.js');
const hasScript = existsSync('/usr/bin/script');

/** The command on a pseudo-terminal: everything it wrote, control sequences included. */
function onTty(args: string[], home: string): Promise<string> {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qfec', cmd, '/dev/null'],
      { env: { ...process.env, OCICAT_HOME: home, COLUMNS: '160' }, maxBuffer: 16 * 1024 * 1024 },
      (_e, stdout) => resolve(String(stdout)),
    );
  });
}

describe('progress on a terminal', () => {
  it('package and pull show bytes, speed and a final line; piped they do not', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    if (!hasScript) return ctx.skip('util-linux script is not installed');
    const src = join(used.dir, 'big');
    await writeSampleCatalog(src, 'big');
    await mkdir(join(src, 'data'), { recursive: true });
    await writeFile(join(src, 'data', 'payload.bin'), randomBytes(48 * 1024 * 1024));
    const home = join(used.dir, 'home');
    const pkg = await onTty(['catalog', 'package', `oci://${used.reg.host}/tty/`, '--work-dir', src], home);
    expect(pkg).toMatch(/packing big \(\d+ entries\) {2}[\d.]+ [KMG]iB \/ [\d.]+ MiB {2}\d+%/);
    expect(pkg).toMatch(/Packaged oci:\/\//);
    const ref = `oci://${used.reg.host}/tty/big:1.0.0`;
    expect(await onTty(['catalog', 'push', ref, '--plain-http'], home)).toMatch(/Pushed/);
    const pull = await onTty(['catalog', 'pull', ref, '--plain-http'], join(used.dir, 'home2'));
    expect(pull).toMatch(/sha256:[0-9a-f]{12} {2}[\d.]+ [KMG]i?B \/ [\d.]+ MiB {2}\d+%/);
    expect(pull).toMatch(/\d+ items?, [\d.]+ MiB in [\d.]+ s \([\d.]+ [KMG]iB\/s\)\r?\n/);
    // piped: results only
    const piped = await ocicat(['catalog', 'pull', ref, '--plain-http'], { home: join(used.dir, 'home3') });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toMatch(/%|\r/);
  });

  it('a conformance run counts the features done', async (ctx) => {
    if (!hasScript) return ctx.skip('util-linux script is not installed');
    const out = await onTty(
      [
        'conformance',
        'run',
        '--registry',
        'distribution2/process/anonymous',
        '--feature',
        'push.blob',
        '--out',
        join(used.dir ?? '/tmp', 'conf'),
        '--fail-on',
        'never',
      ],
      join(used.dir ?? '/tmp', 'home-conf'),
    );
    if (/unavailable distribution2/.test(out)) return ctx.skip('distribution 2.8 not installed');
    expect(out).toMatch(
      /\d+\/\d+ features \(1 registries[^)]*\) · distribution2\/process\/anonymous: push\.blob\.\S+ \w+/,
    );
  });
});
