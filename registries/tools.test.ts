// Bringing your own registry binary (issue 16): setup reports it present, with
// the registry's own version, not the spec version Zot prints first.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { broughtTool } from './tools.ts';

let dir: string;
const saved = { ...process.env };
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-tools-'));
  process.env.OCICAT_TOOLS_DIR = join(dir, 'tools');
  process.env.PATH = join(dir, 'path');
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(dir, { recursive: true, force: true });
});

async function fake(where: 'tools' | 'path', name: string, prints: string) {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, where), { recursive: true });
  const file = join(dir, where, name);
  // the shell's own printf: PATH holds only the fakes
  await writeFile(file, `#!/bin/sh\nprintf '%s\\n' '${prints}'\n`);
  await chmod(file, 0o755);
  return file;
}

describe('a tool the user brought', () => {
  it('Zot in OCICAT_TOOLS_DIR: its own version from "commit", not the distribution-spec version', async () => {
    // what zot --version prints (REGISTRY-FACTS): the spec version first
    const file = await fake(
      'tools',
      'zot',
      '{"level":"info","distribution-spec":"1.1.1","commit":"v2.1.20-0-gabcdef","binary-type":"minimal","go version":"go1.24.4","message":"version"}',
    );
    expect(await broughtTool('zot')).toEqual({ path: file, version: '2.1.20' });
  });

  it('a tool on the PATH: the first x.y.z of --version', async () => {
    const file = await fake('path', 'oras', 'Version:    1.3.6\nGo version: go1.24.4');
    expect(await broughtTool('oras')).toEqual({ path: file, version: '1.3.6' });
  });

  it('none: undefined', async () => {
    expect(await broughtTool('zot')).toBeUndefined();
  });
});
