// Credentials in Docker's config.json format, which is also the format of
// $OCICAT_HOME/credentials.json (DESIGN "Reference client behaviour"):
//   {"auths": {"<host>": {"auth": base64("user:pass") | "identitytoken": ... }},
//    "credHelpers": {"<host>": "<helper>"}, "credsStore": "<helper>"}
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { OcicatError } from '../../errors.ts';
import { atomicWrite } from '../../util/atomic-write.ts';
import type { Credential, CredentialStore } from './credential.ts';
import { runCredentialHelper } from './credential-helper.ts';

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [k: string]: unknown;
}

/** Keys under which a host may be stored (Docker writes https://index.docker.io/v1/ for Hub). */
export function hostKeys(registry: string): string[] {
  const keys = [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
  if (registry === 'docker.io' || registry === 'registry-1.docker.io' || registry === 'index.docker.io') {
    keys.push('https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io');
  }
  return keys;
}

async function readConfig(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OcicatError('INVALID_CREDENTIALS_FILE', `cannot read ${path}: ${(e as Error).message}`);
  }
  if (text.trim() === '') return {};
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
    return doc as ConfigFile;
  } catch (e) {
    throw new OcicatError('INVALID_CREDENTIALS_FILE', `${path} is not valid JSON (${(e as Error).message})`, {
      hint: 'fix or remove the file, then log in again',
    });
  }
}

function decodeEntry(entry: AuthEntry, path: string, key: string): Credential | undefined {
  const c: Credential = {};
  if (entry.auth) {
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon < 0) {
      throw new OcicatError(
        'INVALID_CREDENTIALS_FILE',
        `${path}: auths["${key}"].auth is not base64 of user:password`,
      );
    }
    c.username = plain.slice(0, colon);
    c.password = plain.slice(colon + 1);
  }
  if (entry.username) c.username = entry.username;
  if (entry.password) c.password = entry.password;
  if (entry.identitytoken) c.identityToken = entry.identitytoken;
  if (entry.registrytoken) c.registryToken = entry.registrytoken;
  return Object.keys(c).length === 0 ? undefined : c;
}

export class DockerConfigStore implements CredentialStore {
  readonly path: string;
  private readonly useHelpers: boolean;

  constructor(path: string, options: { helpers?: boolean } = {}) {
    this.path = path;
    this.useHelpers = options.helpers ?? true;
  }

  /** Docker's own config: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
  static docker(env: NodeJS.ProcessEnv = process.env): DockerConfigStore {
    const dir = env.DOCKER_CONFIG ?? join(homedir(), '.docker');
    return new DockerConfigStore(join(dir, 'config.json'));
  }

  async get(registry: string): Promise<Credential | undefined> {
    const cfg = await readConfig(this.path);
    if (!cfg) return undefined;
    if (this.useHelpers) {
      const helper =
        cfg.credHelpers?.[registry] ??
        (cfg.auths && findEntry(cfg.auths, registry) ? undefined : cfg.credsStore);
      if (helper) {
        const c = await runCredentialHelper(helper, registry);
        if (c) return c;
      }
    }
    const found = cfg.auths ? findEntry(cfg.auths, registry) : undefined;
    return found ? decodeEntry(found.entry, this.path, found.key) : undefined;
  }

  /** Store or replace a login; the file is written 0600 via temp + rename. */
  async put(registry: string, cred: Credential): Promise<void> {
    const cfg = (await readConfig(this.path)) ?? {};
    const auths = { ...(cfg.auths ?? {}) };
    for (const k of hostKeys(registry)) delete auths[k];
    const entry: AuthEntry = {};
    if (cred.username !== undefined && cred.password !== undefined) {
      entry.auth = Buffer.from(`${cred.username}:${cred.password}`).toString('base64');
    } else if (cred.username !== undefined) entry.username = cred.username;
    if (cred.identityToken) entry.identitytoken = cred.identityToken;
    auths[registry] = entry;
    await writeConfig(this.path, { ...cfg, auths });
  }

  /** Remove a login; returns false when there was none. */
  async remove(registry: string): Promise<boolean> {
    const cfg = await readConfig(this.path);
    if (!cfg?.auths) return false;
    const auths = { ...cfg.auths };
    let removed = false;
    for (const k of hostKeys(registry)) {
      if (k in auths) {
        delete auths[k];
        removed = true;
      }
    }
    if (removed) await writeConfig(this.path, { ...cfg, auths });
    return removed;
  }
}

function findEntry(
  auths: Record<string, AuthEntry>,
  registry: string,
): { key: string; entry: AuthEntry } | undefined {
  for (const key of hostKeys(registry)) {
    const entry = auths[key];
    if (entry && typeof entry === 'object') return { key, entry };
  }
  return undefined;
}

async function writeConfig(path: string, cfg: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await atomicWrite(path, `${JSON.stringify(cfg, null, 2)}\n`, 0o600);
}
