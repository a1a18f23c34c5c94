// distribution 2.8, from Debian's docker-registry package (`docker-registry serve`).
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { RegistryDefinition } from '../definition.ts';
import { RegistryUnavailable } from '../types.ts';
import { distributionConfig } from './distribution-config.ts';

const run = promisify(execFile);
export const DISTRIBUTION2_BINARY = '/usr/bin/docker-registry';

export const distribution2: RegistryDefinition = {
  name: 'distribution2',
  title: 'distribution 2.8',
  auths: ['anonymous', 'htpasswd', 'token', 'tls'],
  // REGISTRY-FACTS "Seen on this machine" and "Registry behaviours"
  expected: {
    referrersApi: false,
    mount: true,
    chunked: true,
    rangeGet: true,
    deleteManifest: true,
    deleteTag: false,
    chunkRangeChecked: false,
    tagsPagination: false,
  },
  async binary() {
    try {
      await access(DISTRIBUTION2_BINARY);
      return DISTRIBUTION2_BINARY;
    } catch {
      throw new RegistryUnavailable(
        `${DISTRIBUTION2_BINARY} not installed (apt-get install docker-registry, or npm run setup)`,
      );
    }
  },
  async version(bin) {
    const out = (await run(bin, ['--version'])).stdout;
    return /(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? 'unknown';
  },
  launch: (ctx) => ({
    files: { 'config.yml': distributionConfig(ctx) },
    args: ['serve', `${ctx.seenAs}/config.yml`],
  }),
  image: { name: 'registry:2', port: 5000 },
};
