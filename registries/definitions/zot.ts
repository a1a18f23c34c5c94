// Zot 2.1.x, built by `npm run setup` with
// CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go install zotregistry.dev/zot/v2/cmd/zot@v2.1.20.
// JSON config; the referrers API is core; extensions are left out (search/cve
// would download a database). REGISTRY-FACTS "Running the registries".
// As it ships (issue 13): storage dedupe on, Zot's default, which keeps a deleted
// blob readable while another repository holds the same bytes and shows blobs in
// repositories that never received them (REGISTRY-FACTS "What it found"). dedupe
// off changes those verdicts, so it is a variant with its own column, `zot-nodedupe`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ALL_CAPABILITIES, type LaunchContext, type RegistryDefinition, seen } from '../definition.ts';
import { requireTool } from '../tools.ts';

const run = promisify(execFile);

export function zotConfig(ctx: LaunchContext, dedupe = true): string {
  const http: Record<string, unknown> = { address: ctx.bind, port: String(ctx.port) };
  if (ctx.tls) http.tls = { cert: seen(ctx, 'tls/server.pem'), key: seen(ctx, 'tls/server.key') };
  if (ctx.auth === 'htpasswd') http.auth = { htpasswd: { path: seen(ctx, 'htpasswd') } };
  if (ctx.auth === 'token' && ctx.token)
    http.auth = {
      bearer: { realm: ctx.token.realm, service: ctx.token.service, cert: seen(ctx, 'token.pem') },
    };
  return `${JSON.stringify(
    {
      distSpecVersion: '1.1.1',
      storage: { rootDirectory: seen(ctx, 'data'), dedupe, gc: false },
      http,
      log: { level: 'error' },
    },
    null,
    2,
  )}\n`;
}

export const zot: RegistryDefinition = {
  name: 'zot',
  title: 'Zot 2.1',
  auths: ['anonymous', 'htpasswd', 'token', 'tls'],
  expected: ALL_CAPABILITIES,
  binary: () => requireTool('zot', 'Zot', 'go install zotregistry.dev/zot/v2/cmd/zot@v2.1.20'),
  async version(bin) {
    const r = await run(bin, ['--version']).catch((e: { stdout?: string; stderr?: string }) => ({
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    }));
    // the first x.y.z of `zot --version` is the distribution-spec version (1.1.1);
    // Zot's own is in "commit":"v2.1.20-..." (REGISTRY-FACTS)
    const text = `${r.stdout}${r.stderr}`;
    return (
      /"commit"\s*:\s*"v(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? /v?(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? 'unknown'
    );
  },
  launch: (ctx) => ({
    files: { 'config.json': zotConfig(ctx) },
    args: ['serve', `${ctx.seenAs}/config.json`],
  }),
  image: { name: 'ghcr.io/project-zot/zot-linux-amd64:v2.1.20', port: 5000 },
};

/** Zot with storage dedupe off: a setting that changes conformance, in a column of its own. */
export const zotNoDedupe: RegistryDefinition = {
  ...zot,
  name: 'zot-nodedupe',
  title: 'Zot 2.1 (storage dedupe off)',
  auths: ['anonymous'],
  launch: (ctx) => ({
    files: { 'config.json': zotConfig(ctx, false) },
    args: ['serve', `${ctx.seenAs}/config.json`],
  }),
};
