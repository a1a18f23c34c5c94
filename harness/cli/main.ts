// The `ocicat` command tree (DESIGN "CLI contract"). Thin: parse, call ops, print.
// Exit 0 on success, 2 for invalid input or usage, 1 for any other failure.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addService, createCatalog } from '../catalog/scaffold.ts';
import { validateCatalog } from '../catalog/validate.ts';
import { OcicatError } from '../errors.ts';
import { createContext, type GlobalOptions, type OpsContext } from '../ops/context.ts';
import { copyArtifact } from '../ops/copy.ts';
import { inspectCatalog, listCatalogs, unpackageCatalog } from '../ops/local.ts';
import { login, logout } from '../ops/login.ts';
import { packageCatalog } from '../ops/package.ts';
import { pullCatalog } from '../ops/pull.ts';
import { pushCatalog } from '../ops/push.ts';
import type { Credential } from '../remote/auth/credential.ts';
import { ocicatHome } from '../remote/auth/default-store.ts';
import { proxySecrets } from '../remote/proxy-env.ts';
import { removeTempsSync } from '../util/temp-files.ts';
import { DEFAULT_COMMAND_TIMEOUT_MS, type Parsed, parse, parseDuration, positional } from './args.ts';
import { suggestion, TOP_USAGE } from './help.ts';
import {
  exitCodeFor,
  type Io,
  plainIo,
  plainText,
  printError,
  printJson,
  processIo,
  table,
} from './output.ts';
import { terminalProgress } from './progress.ts';

const GLOBALS_HELP = `global options: --home DIR (env OCICAT_HOME), --plain-http, --ca-file FILE, --insecure,
                --json, --no-progress, --debug, --timeout DURATION (whole command; default 30m, 0 for none)
`;

const USAGE = `usage: ocicat catalog <command> [options]

commands:
  create <name> [--dir D]                      scaffold a catalog (kubara's layout)
  add <service> [--work-dir D]                 add a service definition and its Helm chart
  validate [--work-dir D]                      check the catalog by kubara's loader rules
  package <oci://host[:port]/base/> [--work-dir D]
                                               pack into the cache as .../base/<name>:<version>
  login <host[:port]> [-u U] [--password P | --password-stdin | --identity-token T | --identity-token-stdin]
  logout <host[:port]>
  push <oci://ref:tag> [--from <oci://ref>]    upload a cached catalog (promote with --from)
  pull <oci://ref:tag | oci://ref@sha256:...>  download into the cache
  list [--json]                                cached catalogs
  unpackage <oci://ref> <dir>                  write a cached catalog into a new directory
  inspect <oci://ref> [--remote]               describe a catalog

ocicat catalog <command> --help says more about each.
${GLOBALS_HELP}`;

/** `ocicat catalog <command> --help`: what it does, its arguments and options. */
const COMMAND_HELP: Record<string, string> = {
  create: `usage: ocicat catalog create <name> [--dir D]

Scaffold a catalog in D/<name> (default: the current folder) as kubara does:
Catalog.yaml (version 0.1.0), services/, platform-components/{helm,terraform}/,
platform-configs/{helm,terraform}/. Refuses an existing folder.
`,
  add: `usage: ocicat catalog add <service> [--work-dir D]

Add services/<service>.yaml (a kubara ServiceDefinition) and a Helm chart
skeleton under platform-components/helm/<service> to the catalog in D.
`,
  validate: `usage: ocicat catalog validate [--work-dir D]

Check the catalog in D by kubara's loader rules (Catalog.yaml and every
services/**/*.yaml); warn about what kubara cannot consume. Packages nothing.
`,
  package: `usage: ocicat catalog package <oci://host[:port]/base/> [--work-dir D]

Validate and pack the catalog in D into the cache as oci://host/base/<name>:<version>.
Nothing leaves the machine; push uploads it.
`,
  login: `usage: ocicat catalog login <host[:port]> [-u U] [--password-stdin | --password P |
                                         --identity-token-stdin | --identity-token T]

Check the credentials against the registry, then keep them in $OCICAT_HOME/credentials.json (0600).
`,
  logout: `usage: ocicat catalog logout <host[:port]>

Forget the credentials kept for the registry.
`,
  push: `usage: ocicat catalog push <oci://ref:tag> [--from <oci://ref>]

Upload a cached catalog; the tag must be its version. With --from, promote the
cached catalog <ref> to another repository or registry (blobs mounted where possible).
`,
  pull: `usage: ocicat catalog pull <oci://ref:tag | oci://ref@sha256:...>

Download a catalog into the cache, verifying digests and vetting its layer; says
"Updated:" when a cached tag now resolves to another digest.
`,
  list: `usage: ocicat catalog list [--json]

The cached catalogs: name, version, reference, digest.
`,
  unpackage: `usage: ocicat catalog unpackage <oci://ref> <dir>

Write a cached catalog into the new folder <dir>; never outside it.
`,
  inspect: `usage: ocicat catalog inspect <oci://ref> [--remote]

Describe a cached catalog (or, with --remote, the one in the registry).
`,
};

const COPY_HELP = `usage: ocicat copy <oci://src> <oci://dst>

Copy an artifact of any kind (an image, an index and every manifest and blob below
it, a Helm chart, a Zarf package, a catalog) from src to dst, as oras cp and crane copy
do: children first and the tag last, so a failure never leaves dst tagged with
something incomplete; digests unchanged; blobs mounted within one registry, streamed
registry to registry otherwise (nothing is kept on this machine). A dst without a tag
or digest takes src's.
`;

interface Run {
  p: Parsed;
  io: Io;
  json: boolean;
  secrets: string[];
  globals: GlobalOptions;
  ctx: () => Promise<OpsContext>;
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw new OcicatError('USAGE', 'could not read standard input');
  }
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

const COMMANDS: Record<
  string,
  { options: Record<string, { type: 'string' | 'boolean'; short?: string }>; run: (r: Run) => Promise<void> }
> = {
  create: {
    options: { dir: { type: 'string' } },
    async run({ p, io, json }) {
      const [name] = positional(p, 1, 'ocicat catalog create <name> [--dir D]');
      const dir = await createCatalog(name!, resolve(str(p.values.dir) ?? '.'));
      if (json) printJson(io, { name, directory: dir });
      else io.out(`Created catalog ${name} in ${dir}\n`);
    },
  },
  add: {
    options: { 'work-dir': { type: 'string' } },
    async run({ p, io, json }) {
      const [service] = positional(p, 1, 'ocicat catalog add <service> [--work-dir D]');
      const files = await addService(service!, resolve(str(p.values['work-dir']) ?? '.'));
      if (json) printJson(io, { service, files });
      else io.out(`Added service ${service} (${files.length} files)\n`);
    },
  },
  validate: {
    options: { 'work-dir': { type: 'string' } },
    async run({ p, io, json }) {
      positional(p, 0, 'ocicat catalog validate [--work-dir D]');
      const r = await validateCatalog(resolve(str(p.values['work-dir']) ?? '.'));
      const result = {
        name: r.catalog.metadata.name,
        version: r.catalog.spec.version,
        services: r.services.map((s) => ({ file: s.file, name: s.definition.metadata.name })),
        warnings: r.warnings,
      };
      if (json) return printJson(io, result);
      for (const w of r.warnings) io.err(`warning: ${w}\n`);
      io.out(`Valid: catalog ${result.name} ${result.version}, ${result.services.length} service(s)\n`);
    },
  },
  package: {
    options: { 'work-dir': { type: 'string' } },
    async run({ p, io, json, ctx }) {
      const [base] = positional(p, 1, 'ocicat catalog package <oci://host[:port]/base/> [--work-dir D]');
      const r = await packageCatalog(await ctx(), resolve(str(p.values['work-dir']) ?? '.'), base!);
      for (const w of r.warnings) io.err(`warning: ${w}\n`);
      if (json) printJson(io, r);
      else io.out(`Packaged ${r.reference}\nDigest: ${r.digest}\n`);
    },
  },
  login: {
    options: {
      username: { type: 'string', short: 'u' },
      password: { type: 'string', short: 'p' },
      'password-stdin': { type: 'boolean' },
      'identity-token': { type: 'string' },
      'identity-token-stdin': { type: 'boolean' },
    },
    async run({ p, io, json, globals, secrets }) {
      const [host] = positional(p, 1, 'ocicat catalog login <host[:port]> [-u U] [--password-stdin]');
      const v = p.values;
      const given = ['password', 'password-stdin', 'identity-token', 'identity-token-stdin'].filter(
        (k) => v[k] !== undefined,
      );
      if (given.length > 1) throw new OcicatError('USAGE', `use only one of --${given.join(', --')}`);
      const cred: Credential = {};
      if (v['identity-token'] !== undefined || v['identity-token-stdin']) {
        cred.identityToken = str(v['identity-token']) ?? readStdin();
        if (str(v.username)) cred.username = str(v.username)!;
        secrets.push(cred.identityToken);
      } else {
        const user = str(v.username);
        if (!user) throw new OcicatError('USAGE', 'login needs a username (-u) or an identity token');
        if (v.password === undefined && !v['password-stdin'])
          throw new OcicatError('USAGE', 'login needs a password: --password-stdin (or --password)');
        if (v.password !== undefined)
          io.err(
            'warning: --password on the command line can be seen by other users; prefer --password-stdin\n',
          );
        cred.username = user;
        cred.password = str(v.password) ?? readStdin();
        secrets.push(cred.password);
      }
      if (!cred.password && !cred.identityToken)
        throw new OcicatError('USAGE', 'the password or token is empty');
      const r = await login(globals, host!, cred);
      if (json) printJson(io, r);
      else io.out(`Login Succeeded (${r.registry})\n`);
    },
  },
  logout: {
    options: {},
    async run({ p, io, json, globals }) {
      const [host] = positional(p, 1, 'ocicat catalog logout <host[:port]>');
      const r = await logout(globals, host!);
      if (json) printJson(io, r);
      else io.out(r.removed ? `Removed login for ${r.registry}\n` : `Not logged in to ${r.registry}\n`);
    },
  },
  push: {
    options: { from: { type: 'string' } },
    async run({ p, io, json, ctx }) {
      const [ref] = positional(p, 1, 'ocicat catalog push <oci://ref:tag> [--from <oci://ref>]');
      const r = await pushCatalog(await ctx(), ref!, str(p.values.from));
      if (json) printJson(io, r);
      else io.out(`Pushed ${r.reference}${r.from ? ` from ${r.from}` : ''}\nDigest: ${r.digest}\n`);
    },
  },
  pull: {
    options: {},
    async run({ p, io, json, ctx }) {
      const [ref] = positional(p, 1, 'ocicat catalog pull <oci://ref:tag | oci://ref@sha256:...>');
      const r = await pullCatalog(await ctx(), ref!);
      if (json) printJson(io, r);
      else {
        io.out(`Pulled ${r.reference}\nDigest: ${r.digest}\n`);
        if (r.updated)
          io.out(`Updated: ${r.reference} now resolves to ${r.digest} (cached was ${r.previousDigest})\n`);
      }
    },
  },
  list: {
    options: {},
    async run({ p, io, json, ctx }) {
      positional(p, 0, 'ocicat catalog list [--json]');
      const items = await listCatalogs(await ctx());
      if (json) printJson(io, items);
      else if (items.length === 0) io.out('No catalogs in the cache\n');
      else
        io.out(
          table([
            ['NAME', 'VERSION', 'REFERENCE', 'DIGEST'],
            ...items.map((i) => [i.name, i.version, i.reference, i.digest]),
          ]),
        );
    },
  },
  unpackage: {
    options: {},
    async run({ p, io, json, ctx }) {
      const [ref, dir] = positional(p, 2, 'ocicat catalog unpackage <oci://ref> <dir>');
      const r = await unpackageCatalog(await ctx(), ref!, resolve(dir!));
      if (json) printJson(io, r);
      else io.out(`Unpacked ${r.name} ${r.version} into ${r.directory}\n`);
    },
  },
  copy: {
    options: {},
    async run({ p, io, json, ctx }) {
      const [src, dst] = positional(p, 2, 'ocicat copy <oci://src> <oci://dst>');
      const r = await copyArtifact(await ctx(), src!, dst!);
      if (json) printJson(io, r);
      else io.out(`Copied ${r.source} to ${r.reference}\nDigest: ${r.digest}\n`);
    },
  },
  inspect: {
    options: { remote: { type: 'boolean' } },
    async run({ p, io, json, ctx }) {
      const [ref] = positional(p, 1, 'ocicat catalog inspect <oci://ref> [--remote]');
      const r = await inspectCatalog(await ctx(), ref!, { remote: p.values.remote === true });
      if (json) printJson(io, r);
      else {
        const lines = [
          ['Reference', r.reference],
          ['Source', r.source],
          ['Name', r.name],
          ['Version', r.version],
          ['Digest', r.digest],
          ['Media type', r.mediaType],
          [
            'Form',
            r.form === 'kubara' ? 'kubara (artifactType + empty config)' : 'fallback (catalog config)',
          ],
          ['Layer', `${r.layer.digest} (${r.layer.size} bytes)`],
          ...Object.entries(r.annotations).map(([k, v]) => [`  ${k}`, v]),
        ];
        io.out(lines.map(([k, v]) => `${`${k}:`.padEnd(14)} ${v}`).join('\n') + '\n');
      }
    },
  },
};

export async function main(
  argv: string[],
  io: Io = processIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // a proxy's password (proxy-env.ts) is scrubbed like the registry's
  const secrets: string[] = proxySecrets(env);
  let debug = argv.includes('--debug');
  let context: OpsContext | undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.out(TOP_USAGE);
      return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] === 'catalog' && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      io.out(USAGE);
      return argv.length === 1 ? 2 : 0;
    }
    if (argv[0] !== 'catalog' && argv[0] !== 'copy')
      throw new OcicatError('USAGE', `unknown command "${argv[0]}"`, {
        hint: suggestion(argv[0]!, ['catalog', 'copy', 'conformance', 'report'], 'commands'),
      });
    // `ocicat copy` is a command of its own; the rest are `ocicat catalog <name>`
    const topLevel = argv[0] === 'copy';
    if (topLevel) argv = ['copy', ...argv];
    const name = argv[1]!;
    const command = COMMANDS[name];
    if (!command)
      throw new OcicatError('USAGE', `unknown catalog command "${name}"`, {
        hint: suggestion(name, Object.keys(COMMANDS), 'one of'),
      });
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(`${topLevel ? COPY_HELP : COMMAND_HELP[name]}\n${GLOBALS_HELP}`);
      return 0;
    }
    const p = parse(argv.slice(2), command.options);
    debug = p.values.debug === true;
    const json = p.values.json === true;
    const limit =
      str(p.values.timeout) === undefined
        ? DEFAULT_COMMAND_TIMEOUT_MS
        : parseDuration(str(p.values.timeout)!);
    if (limit > 0) deadline = overallDeadline(io, topLevel ? name : `catalog ${name}`, limit);
    const globals: GlobalOptions = {
      home: resolve(ocicatHome(env, str(p.values.home))),
      ...(p.values['plain-http'] ? { plainHttp: true } : {}),
      ...(str(p.values['ca-file']) ? { caFile: str(p.values['ca-file'])! } : {}),
      ...(p.values.insecure ? { insecure: true } : {}),
      // the client redacts URLs and scrubs known secrets from its log lines
      ...(debug ? { log: (l: string) => io.err(`debug: ${plainText(l)}\n`) } : {}),
    };
    const bar = io.isTTY && !json && !p.values['no-progress'] ? terminalProgress(io.err) : undefined;
    const ctx = async () => {
      context ??= await createContext(globals, {
        ...(bar ? { progress: bar.update } : {}),
        note: (l) => io.err(`note: ${plainText(l)}\n`),
        warn: (l) => io.err(`warning: ${plainText(l)}\n`),
      });
      return context;
    };
    // Results must not land on the progress line: clear it before anything is printed.
    const shown = json ? { ...io, err: plainIo(io).err } : plainIo(io);
    const out: Io = bar
      ? {
          ...io,
          out: (t) => {
            bar.done();
            shown.out(t);
          },
          err: (t) => {
            bar.done();
            shown.err(t);
          },
        }
      : shown;
    try {
      await command.run({ p, io: out, json, secrets, globals, ctx });
    } finally {
      bar?.done();
    }
    return 0;
  } catch (e) {
    printError(io, e, debug, [...secrets, ...(context?.client.auth.knownSecrets() ?? [])]);
    return exitCodeFor(e);
  } finally {
    clearTimeout(deadline);
    await context?.client.close();
  }
}

/**
 * The whole command's deadline (--timeout): when it passes, what is half written
 * is removed (temp files, locks) and the command ends with one line and exit 1,
 * the way Ctrl-C does, whatever it was waiting for.
 */
function overallDeadline(io: Io, what: string, ms: number): NodeJS.Timeout {
  const t = setTimeout(() => {
    removeTempsSync();
    io.err(
      `error: ${what} did not finish within ${ms / 1000} s; nothing partial was kept\nhint: --timeout sets the limit (0 for none)\n`,
    );
    process.exit(1);
  }, ms);
  t.unref();
  return t;
}

/**
 * A command that can no longer finish: the event loop is empty while its promise
 * is unsettled (a stream that waits for a reader that stopped; issue 24's pull of a
 * corrupted layer ended so with exit 13 and only Node's warning). What is half
 * written is removed and the command ends with one line and exit 1. bin/ocicat.js
 * calls it from 'beforeExit', so no such state ends silently.
 */
export function stalled(io: Io = processIo): never {
  removeTempsSync();
  io.err(
    'error: the command stopped before it finished (internal: nothing was left to wait for); nothing partial was kept\nhint: run it again with --debug and report it\n',
  );
  process.exit(1);
}

/** Ctrl-C: remove what is half written (temp files, locks), then exit 130. */
export function installInterruptHandler(io: Io = processIo): void {
  const onSignal = (signal: NodeJS.Signals) => {
    removeTempsSync();
    io.err(`\ninterrupted (${signal}); nothing partial was kept\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
