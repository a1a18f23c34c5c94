import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRY_TMP_ENV, ramScratch, scratchRoot } from './scratch-root.ts';

describe('scratchRoot', () => {
  const before = process.env[REGISTRY_TMP_ENV];
  afterEach(() => {
    if (before === undefined) delete process.env[REGISTRY_TMP_ENV];
    else process.env[REGISTRY_TMP_ENV] = before;
  });

  it('is the temp folder unless OCICAT_REGISTRY_TMP names another', () => {
    delete process.env[REGISTRY_TMP_ENV];
    expect(scratchRoot()).toBe(tmpdir());
    process.env[REGISTRY_TMP_ENV] = '/somewhere/else';
    expect(scratchRoot()).toBe('/somewhere/else');
    process.env[REGISTRY_TMP_ENV] = '';
    expect(scratchRoot()).toBe(tmpdir());
  });

  it('takes a RAM filesystem only: not a disk folder, not a missing one, not one without room', () => {
    const disk = mkdtempSync(join(tmpdir(), 'ocicat-scratch-'));
    try {
      // the temp folder is on a disk here (ext4); a machine whose /tmp is a tmpfs takes it
      const ram = [0x01021994, 0x858458f6].includes(statfsSync(disk).type);
      expect(ramScratch(0, disk)).toBe(ram ? disk : undefined);
    } finally {
      rmSync(disk, { recursive: true, force: true });
    }
    expect(ramScratch(0, '/no/such/folder')).toBeUndefined();
    if (ramScratch(0) === undefined) return; // no /dev/shm here: nothing more to show
    expect(ramScratch(0)).toBe('/dev/shm');
    expect(ramScratch(Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });
});
