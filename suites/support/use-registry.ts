// The setup most suites share: a distribution 2.8 started for the file (or the
// reason it cannot start, for skips), a client for it, and a temp dir; all of it
// gone after the file's tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { RegistryClient } from '../../harness/remote/client.ts';
import { type StartOptions, startDistribution2 } from '../../registries/process/distribution2.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { clientFor, tryStart } from './registry.ts';

export interface UsedRegistry {
  reg: StartedRegistry | undefined;
  /** Why there is no registry, when there is none. */
  skip: string;
  client: RegistryClient;
  dir: string;
}

export function useRegistry(label: string, options: StartOptions = {}): UsedRegistry {
  const used = { skip: 'no registry' } as UsedRegistry;
  beforeAll(async () => {
    used.dir = await mkdtemp(join(tmpdir(), `ocicat-${label}-`));
    const { reg, skip } = await tryStart(() => startDistribution2(options));
    used.reg = reg;
    if (skip) used.skip = skip;
    if (reg) used.client = clientFor(reg);
  });
  afterAll(async () => {
    await used.client?.close();
    await used.reg?.stop();
    await rm(used.dir, { recursive: true, force: true });
  });
  return used;
}
