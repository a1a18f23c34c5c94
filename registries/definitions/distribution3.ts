// distribution 3.x, built by `npm run setup` with
// go install github.com/distribution/distribution/v3/cmd/registry@v3.1.1.
// Its htpasswd takes bcrypt only; it exports traces to localhost:4318 unless
// OTEL_TRACES_EXPORTER=none (REGISTRY-FACTS "Running the registries").
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RegistryDefinition } from '../definition.ts';
import { requireTool } from '../tools.ts';
import { distributionConfig } from './distribution-config.ts';

const run = promisify(execFile);

export const distribution3: RegistryDefinition = {
  name: 'distribution3',
  title: 'distribution 3.x',
  auths: ['anonymous', 'htpasswd', 'token', 'tls'],
  // 3.1.1 has no referrers route; 416 RANGE_INVALID on bad chunks; n/last/Link; delete by tag
  expected: {
    referrersApi: false,
    mount: true,
    chunked: true,
    rangeGet: true,
    deleteManifest: true,
    deleteTag: true,
    chunkRangeChecked: true,
    tagsPagination: true,
  },
  binary: () =>
    requireTool(
      'registry',
      'distribution 3',
      'go install github.com/distribution/distribution/v3/cmd/registry@v3.1.1',
    ),
  async version(bin) {
    const out = (await run(bin, ['--version'], { env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' } }))
      .stdout;
    return /v?(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? 'unknown';
  },
  launch: (ctx) => ({
    files: { 'config.yml': distributionConfig(ctx) },
    args: ['serve', `${ctx.seenAs}/config.yml`],
    env: { OTEL_TRACES_EXPORTER: 'none' },
  }),
  image: { name: 'registry:3', port: 5000 },
};
