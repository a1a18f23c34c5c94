// olareg v0.2.2 (github.com/olareg/olareg, by regclient's author; OCI-certified for
// distribution-spec 1.1): a registry on an OCI layout, with the referrers API
// (OCI-Filters-Applied), basic auth and its own opaque token server, rate limits
// (429) and Warning headers. `go install …@v0.2.2` is refused by the module proxy
// (it will not list the module's versions); `npm run setup` builds it from a go.mod
// that requires it (REGISTRY-FACTS "Seen here on 2026-12-01").
// Delete is off by default in olareg; the harness turns it on (--api-delete
// --api-blob-delete), and the report says so in the registry's title.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ALL_CAPABILITIES, type LaunchContext, type RegistryDefinition } from '../definition.ts';
import { requireTool } from '../tools.ts';

const run = promisify(execFile);

/** olareg's auth file: the run's user with every right, /v2/ open to it; nobody anonymous. */
function authFile(ctx: LaunchContext): string {
  const login = ctx.login!;
  // the bcrypt line prepare.ts wrote with htpasswd -B (olareg reads bcrypt "cred"s)
  const line = readFileSync(join(ctx.dir, 'htpasswd'), 'utf8').trim();
  const hash = line.slice(line.indexOf(':') + 1);
  return [
    'users:',
    `  ${JSON.stringify(login.username)}:`,
    `    cred: ${JSON.stringify(hash)}`,
    'acls:',
    '  - repo: "*"',
    `    members: [${JSON.stringify(login.username)}]`,
    '    access: ["*"]',
    '  - repo: ""',
    `    members: [${JSON.stringify(login.username)}]`,
    '    access: ["read"]',
    '',
  ].join('\n');
}

export function olaregArgs(ctx: LaunchContext, extra: string[] = []): string[] {
  const args = [
    'serve',
    '--addr',
    ctx.bind,
    '--port',
    String(ctx.port),
    '--dir',
    `${ctx.seenAs}/data`,
    '--api-delete',
    '--api-blob-delete',
    // no collection during a run: a blob the suite pushed first and uses later stays
    '--gc-frequency',
    '-1s',
  ];
  if (ctx.tls)
    args.push('--tls-cert', `${ctx.seenAs}/tls/server.pem`, '--tls-key', `${ctx.seenAs}/tls/server.key`);
  if (ctx.auth === 'htpasswd') args.push('--auth-basic', `${ctx.seenAs}/auth.yaml`);
  if (ctx.auth === 'token')
    // its own token server at <external-url>/token (opaque tokens), not the harness's
    args.push(
      '--auth-token-opaque',
      `${ctx.seenAs}/auth.yaml`,
      '--external-url',
      `http://127.0.0.1:${ctx.port}`,
    );
  return [...args, ...extra];
}

export const olareg: RegistryDefinition = {
  name: 'olareg',
  title: 'olareg 0.2 (delete APIs on)',
  auths: ['anonymous', 'htpasswd', 'token', 'tls'],
  expected: ALL_CAPABILITIES,
  binary: () =>
    requireTool(
      'olareg',
      'olareg',
      'a go.mod requiring github.com/olareg/olareg v0.2.2, then go build github.com/olareg/olareg/cmd/olareg',
    ),
  async version(bin) {
    // "VCSTag:     v0.2.2"
    const out = (await run(bin, ['version'])).stdout;
    return /VCSTag:\s*v?(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? /v?(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? 'unknown';
  },
  ownTokenServer: true,
  launch: (ctx) => ({
    files: (ctx.auth === 'htpasswd' || ctx.auth === 'token' ? { 'auth.yaml': authFile(ctx) } : {}) as Record<
      string,
      string
    >,
    args: olaregArgs(ctx),
  }),
  image: { name: 'ghcr.io/olareg/olareg:v0.2.2', port: 5000 },
};
