// distribution 3.x, built by `npm run setup`: 3.1.1 with
// go install github.com/distribution/distribution/v3/cmd/registry@v3.1.1, 3.1.2 beside it.
// Its htpasswd takes bcrypt only; it exports traces to localhost:4318 unless
// OTEL_TRACES_EXPORTER=none (REGISTRY-FACTS "Running the registries").
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ALL_CAPABILITIES, type RegistryDefinition } from '../definition.ts';
import { requireTool } from '../tools.ts';
import { distributionConfig } from './distribution-config.ts';

const run = promisify(execFile);

/**
 * distribution 3 at a version, each a column of its own (issue 23: a maintainer
 * deciding whether to upgrade compares the two in one run). 3.1.1 is the `registry`
 * that go install makes; 3.1.2 is built beside it as `registry-3.1.2`.
 */
function distribution3At(version: string, binary: string): RegistryDefinition {
  return {
    name: `distribution${version}`,
    title: `distribution ${version}`,
    auths: ['anonymous', 'htpasswd', 'token', 'tls'],
    // no referrers route; 416 RANGE_INVALID on bad chunks; n/last/Link; delete by tag (REGISTRY-FACTS)
    expected: { ...ALL_CAPABILITIES, referrersApi: false },
    binary: () =>
      requireTool(
        binary,
        `distribution ${version}`,
        `go build of github.com/distribution/distribution/v3/cmd/registry@v${version} as ${binary}`,
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
    image: { name: `registry:${version}`, port: 5000 },
  };
}

/** Its defects here: a bad-digest reference answered 500, an out-of-order closing PUT 400 (REGISTRY-FACTS). */
export const distribution3 = distribution3At('3.1.1', 'registry');
/** September 2026: fixes the bad-digest reference and the out-of-order closing chunk (its release notes). */
export const distribution312 = distribution3At('3.1.2', 'registry-3.1.2');
