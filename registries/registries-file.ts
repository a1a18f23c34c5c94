// The registries file: registries reached by configuration (Harbor, ECR, GHCR,
// ACR, GAR, Docker Hub, Quay, a vendor's own). Secrets come from the environment,
// named in the file, never written in it:
//
//   registries:
//     - name: ghcr
//       url: https://ghcr.io            # or host[:port]; http:// means plain HTTP
//       namespace: my-org/ocicat        # repositories are created below it, per run
//       kind: ghcr                      # optional: a known registry (its quirk profile)
//       usernameEnv: GHCR_USER          # or username: literal (not a secret)
//       passwordEnv: GHCR_TOKEN         # or identityTokenEnv: ...
//       caFile: /path/ca.pem            # optional; insecure: true to skip TLS checks
//       version: 2.1.20                 # optional: the version to show (Harbor's is read)
//
// Every mistake names the entry: unknown keys, a variable that is not set, a bad URL.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isValidRepository, parseRegistry } from '../harness/oci/reference.ts';
import type { Credential } from '../harness/remote/auth/credential.ts';
import { PROFILES } from './proxy/profiles/index.ts';

export interface RemoteEntry {
  name: string;
  registry: string;
  plainHttp: boolean;
  namespace: string;
  kind?: string;
  credential?: Credential;
  caFile?: string;
  insecure?: boolean;
  /** Where the secret came from (the variable's name, for hints; never its value). */
  secretEnv?: string;
  /** The version the report shows, as the file says (Harbor's is read from its API). */
  version?: string;
}

export class RegistriesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistriesFileError';
  }
}

const KEYS = new Set([
  'name',
  'url',
  'namespace',
  'kind',
  'username',
  'usernameEnv',
  'passwordEnv',
  'identityTokenEnv',
  'caFile',
  'insecure',
  'version',
]);

export function parseRegistriesFile(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  file = 'registries file',
): RemoteEntry[] {
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true, maxAliasCount: 10 });
  } catch (e) {
    throw new RegistriesFileError(`${file}: not valid YAML or JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const list = (doc as { registries?: unknown })?.registries;
  if (!Array.isArray(list)) throw new RegistriesFileError(`${file}: expected a "registries:" list`);
  const names = new Set<string>();
  return list.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new RegistriesFileError(`${file}: entry ${i + 1} is not a mapping`);
    const e = raw as Record<string, unknown>;
    const label = typeof e.name === 'string' && e.name ? `entry "${e.name}"` : `entry ${i + 1}`;
    const bad = (why: string) => new RegistriesFileError(`${file}: ${label}: ${why}`);
    for (const k of Object.keys(e))
      if (!KEYS.has(k)) throw bad(`unknown key "${k}" (known: ${[...KEYS].join(', ')})`);
    if (typeof e.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(e.name))
      throw bad('needs a name (lowercase letters, digits, ".", "_", "-")');
    if (names.has(e.name)) throw bad('the name is used twice');
    names.add(e.name);
    if (typeof e.url !== 'string' || !e.url) throw bad('needs a url');
    const m = /^(?:(https?):\/\/)?([^/]+)\/?$/.exec(e.url);
    if (!m) throw bad(`url "${e.url}" is not http(s)://host[:port]`);
    let registry: string;
    try {
      registry = parseRegistry(m[2]!);
    } catch {
      throw bad(`url "${e.url}" has a bad host`);
    }
    const namespace = e.namespace === undefined ? 'ocicat-conformance' : e.namespace;
    if (typeof namespace !== 'string' || !isValidRepository(namespace))
      throw bad(`namespace "${String(namespace)}" is not a valid repository path`);
    if (e.kind !== undefined && !PROFILES.some((p) => p.name === e.kind))
      throw bad(`kind "${String(e.kind)}" is not one of ${PROFILES.map((p) => p.name).join(', ')}`);
    const fromEnv = (key: 'usernameEnv' | 'passwordEnv' | 'identityTokenEnv'): string | undefined => {
      const v = e[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v))
        throw bad(`${key} must name an environment variable`);
      const value = env[v];
      if (value === undefined || value === '') throw bad(`${key} names ${v}, which is not set`);
      return value;
    };
    if (e.username !== undefined && typeof e.username !== 'string') throw bad('username must be a string');
    const username = (e.username as string | undefined) ?? fromEnv('usernameEnv');
    const password = fromEnv('passwordEnv');
    const identityToken = fromEnv('identityTokenEnv');
    if (password && identityToken) throw bad('give passwordEnv or identityTokenEnv, not both');
    if (password && !username) throw bad('passwordEnv needs a username or usernameEnv');
    if (username && !password && !identityToken)
      throw bad('a username needs passwordEnv (or identityTokenEnv)');
    const credential: Credential | undefined = password
      ? { username: username!, password }
      : identityToken
        ? { identityToken, ...(username ? { username } : {}) }
        : undefined;
    if (e.caFile !== undefined && typeof e.caFile !== 'string') throw bad('caFile must be a path');
    if (e.insecure !== undefined && typeof e.insecure !== 'boolean')
      throw bad('insecure must be true or false');
    if (e.version !== undefined && (typeof e.version !== 'string' || !/^\S{1,64}$/.test(e.version)))
      throw bad('version must be a word such as 2.1.20 (quote it)');
    return {
      name: e.name,
      registry,
      plainHttp: m[1] === 'http',
      namespace,
      ...(e.kind ? { kind: e.kind as string } : {}),
      ...(credential ? { credential } : {}),
      ...(e.caFile ? { caFile: e.caFile as string } : {}),
      ...(e.insecure ? { insecure: true } : {}),
      ...(e.version ? { version: e.version as string } : {}),
      ...(password || identityToken
        ? { secretEnv: String(password ? e.passwordEnv : e.identityTokenEnv) }
        : {}),
    };
  });
}

export async function readRegistriesFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RemoteEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RegistriesFileError(
      `cannot read registries file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseRegistriesFile(text, env, path);
}
