// What every provider does before the registry runs: a temp dir, a login for
// the auth variant (htpasswd file or token server), TLS files from a per-run CA,
// and the definition's config files. The returned cleanup undoes all of it.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeHtpasswd } from '../auth/htpasswd.ts';
import { type StartedTokenServer, startTokenServer } from '../auth/token-server.ts';
import type { Launch, LaunchContext, RegistryDefinition } from '../definition.ts';
import { makeTls, type TlsFiles } from '../tls/ca.ts';
import type { AuthVariant, Login, RegistrySetup } from '../types.ts';
import { RegistryUnavailable } from '../types.ts';
import { scratchRoot } from './scratch-root.ts';

export interface Prepared {
  dir: string;
  ctx: LaunchContext;
  launch: Launch;
  login?: Login;
  tls?: TlsFiles;
  token?: StartedTokenServer;
  cleanup(): Promise<void>;
}

export interface PrepareOptions {
  auth: AuthVariant;
  port: number;
  bind: string;
  /** DNS names the registry is reached by besides 127.0.0.1 (its TLS certificate holds them). */
  names?: string[];
  /** Where the run dir is seen by the registry (default: the dir itself). */
  seenAs?: (dir: string) => string;
  login?: Login;
  /** Token lifetime for the token variant (seconds). */
  tokenTtl?: number;
  anonymousPull?: boolean;
}

export async function prepare(def: RegistryDefinition, options: PrepareOptions): Promise<Prepared> {
  if (!def.auths.includes(options.auth))
    throw new RegistryUnavailable(`${def.title} has no ${options.auth} variant`);
  const dir = await mkdtemp(join(scratchRoot(), `ocicat-${def.name}-`));
  let token: StartedTokenServer | undefined;
  const cleanup = async () => {
    await token?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(join(dir, 'data'), { recursive: true });
    const needsLogin = options.auth === 'htpasswd' || options.auth === 'token';
    const login = needsLogin
      ? (options.login ?? { username: 'ocicat', password: randomBytes(12).toString('hex') })
      : undefined;
    // the token variant writes it too: a registry with its own token server (olareg) reads the hash
    if (options.auth === 'htpasswd' || options.auth === 'token')
      await writeHtpasswd(join(dir, 'htpasswd'), login!.username, login!.password);
    let tls: TlsFiles | undefined;
    if (options.auth === 'tls') {
      await mkdir(join(dir, 'tls'));
      tls = await makeTls(join(dir, 'tls'), options.names);
    }
    if (options.auth === 'token' && !def.ownTokenServer) {
      token = await startTokenServer(dir, {
        login: login!,
        ...(options.tokenTtl ? { ttl: options.tokenTtl } : {}),
        ...(options.anonymousPull ? { anonymousPull: true } : {}),
      });
    }
    const ctx: LaunchContext = {
      dir,
      seenAs: options.seenAs ? options.seenAs(dir) : dir,
      bind: options.bind,
      port: options.port,
      auth: options.auth,
      ...(login ? { login } : {}),
      ...(tls ? { tls } : {}),
      ...(token ? { token } : {}),
    };
    const launch = def.launch(ctx);
    for (const [rel, text] of Object.entries(launch.files)) {
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await writeFile(join(dir, rel), text);
    }
    return {
      dir,
      ctx,
      launch,
      ...(login ? { login } : {}),
      ...(tls ? { tls } : {}),
      ...(token ? { token } : {}),
      cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** What a caller may ask of any provider. */
export interface ProviderOptions {
  auth?: AuthVariant;
  login?: Login;
  tokenTtl?: number;
  anonymousPull?: boolean;
  /**
   * Listen on this address and be reached by this name instead of 127.0.0.1: a
   * client that never proxies loopback addresses (Go's ProxyFromEnvironment, and
   * ocicat) sends a name through a proxy (suites/proxy).
   */
  listen?: { name: string; address: string };
}

/** prepare() for a provider's options, on 127.0.0.1:port (or options.listen). */
export function prepareFor(
  def: RegistryDefinition,
  options: ProviderOptions,
  port: number,
): Promise<Prepared> {
  return prepare(def, {
    auth: options.auth ?? 'anonymous',
    port,
    bind: options.listen?.address ?? '127.0.0.1',
    ...(options.listen ? { names: [options.listen.name] } : {}),
    ...(options.login ? { login: options.login } : {}),
    ...(options.tokenTtl ? { tokenTtl: options.tokenTtl } : {}),
    ...(options.anonymousPull ? { anonymousPull: true } : {}),
  });
}

/** A credential or key file by its name: its content is never shown. */
const SECRET = /htpasswd|auth|token|key|pem|passw|cert/i;

/** The setup of a prepared registry, its run folder written as $RUN_DIR. */
export function setupOf(
  prepared: {
    dir: string;
    ctx: { seenAs: string };
    launch: { args: string[]; env?: Record<string, string>; files: Record<string, string> };
  },
  how: { binary?: string; image?: string },
): RegistrySetup {
  const rel = (s: string) =>
    s.split(prepared.ctx.seenAs).join('$RUN_DIR').split(prepared.dir).join('$RUN_DIR');
  const files: Record<string, string> = {};
  const secretFiles: string[] = [];
  for (const [name, text] of Object.entries(prepared.launch.files)) {
    if (SECRET.test(name)) secretFiles.push(name);
    // a secret in a config (distribution's http.secret) is shown as a place to fill
    else
      files[name] = rel(text).replace(
        /^([ \t]*(?:secret|password|passwd|token)[ \t]*:[ \t]*)\S.*$/gim,
        '$1<generate your own>',
      );
  }
  return {
    ...how,
    args: prepared.launch.args.map(rel),
    ...(prepared.launch.env && Object.keys(prepared.launch.env).length
      ? {
          env: Object.fromEntries(
            Object.entries(prepared.launch.env).map(([k, v]) => [k, SECRET.test(k) ? '<secret>' : rel(v)]),
          ),
        }
      : {}),
    files,
    secretFiles,
  };
}
