// The CLI explains itself (issue 15): one tree, --help everywhere with exit 0, the
// closest match for a typo, one line and exit 2 for what is not a command.
import { describe, expect, it } from 'vitest';
import { runMain } from '../testing/run-main.ts';
import { closest } from './help.ts';

const cli = runMain;

describe('the CLI explains itself', () => {
  it('--help lists every command group', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const w of ['catalog', 'conformance run', 'report diff', '--version']) expect(r.out).toContain(w);
  });

  it.each([
    'create',
    'add',
    'validate',
    'package',
    'login',
    'logout',
    'push',
    'pull',
    'list',
    'unpackage',
    'inspect',
  ])('catalog %s --help has its own usage and exits 0', async (c) => {
    const r = await cli(['catalog', c, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: ocicat catalog ${c}`));
    expect(r.out).toContain('global options');
  });

  it.each([
    [['catalgo'], /unknown command "catalgo"/, /did you mean "catalog"/],
    [['catalog', 'pul'], /unknown catalog command "pul"/, /did you mean "pull"/],
    [
      ['catalog', 'pull', '--plian-http', 'oci://x/y:1.0.0'],
      /unknown option --plian-http/,
      /did you mean "--plain-http"/,
    ],
    [['catalog', 'pull', '--zzzzzzzz', 'oci://x/y:1.0.0'], /unknown option --zzzzzzzz/, /options: --home/],
  ])('%j: one line, a hint, exit 2', async (args, message, hint) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    const [line, h] = r.err.trim().split('\n');
    expect(line).toMatch(message);
    expect(h).toMatch(hint);
  });

  it('closest() takes typos, not strangers', () => {
    expect(closest('pul', ['push', 'pull'])).toBe('pull');
    expect(closest('conformnce', ['catalog', 'conformance', 'report'])).toBe('conformance');
    expect(closest('xyz', ['catalog', 'conformance', 'report'])).toBeUndefined();
  });
});
