// conformance and report through the real binary (issue 15): --help with exit 0,
// patterns that match nothing are exit 2 with what exists, --version.
import { describe, expect, it } from 'vitest';
import { ocicat } from '../support/cli.ts';

const home = '/nonexistent-ocicat-home';

describe('conformance and report explain themselves', () => {
  it.each([
    ['conformance', '--help'],
    ['conformance', 'run', '--help'],
    ['report', '--help'],
    ['report', 'diff', '--help'],
    ['report', 'merge', '--help'],
    ['report', 'render', '--help'],
  ])('%s %s: usage, exit 0', async (...args) => {
    const r = await ocicat(args, { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: ocicat (conformance|report)/);
  });

  it('--version prints the version', async () => {
    const r = await ocicat(['--version'], { home });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ocicat \d+\.\d+\.\d+\n$/);
  });

  it('a --feature that names nothing exits 2 and lists what exists, before starting anything', async () => {
    const r = await ocicat(['conformance', 'run', '--feature', 'nosuch'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no feature starts with "nosuch"/);
    expect(r.stderr).toMatch(/catalog\.push/);
    expect(r.stdout).not.toMatch(/started/);
  });

  it('a --registry that names nothing exits 2 and lists the ids', async () => {
    const r = await ocicat(['conformance', 'run', '--registry', 'foo/*'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/distribution2\/process\/anonymous/);
  });

  it('a mistyped option gets the closest', async () => {
    const r = await ocicat(['conformance', 'run', '--regsitry', 'x'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean "--registry"/);
  });
});
