// login: check the credentials against the registry (GET /v2/ through the same
// challenge handling as every request), and only then store them, 0600, in
// $OCICAT_HOME/credentials.json. logout removes them.
import { OcicatError } from '../errors.ts';
import { parseRegistry, SCHEME } from '../oci/reference.ts';
import type { Credential } from '../remote/auth/credential.ts';
import { StaticStore } from '../remote/auth/credential.ts';
import { credentialsFile } from '../remote/auth/default-store.ts';
import { RegistryClient } from '../remote/client.ts';
import { drain } from '../remote/http.ts';
import type { GlobalOptions } from './context.ts';

export function registryArg(host: string): string {
  const h = host.startsWith(SCHEME) ? host.slice(SCHEME.length) : host;
  if (h.includes('/'))
    throw new OcicatError('USAGE', `login takes a registry host, not a repository: ${host}`);
  return parseRegistry(h, host);
}

export async function login(
  options: GlobalOptions,
  host: string,
  credential: Credential,
): Promise<{ registry: string; stored: string }> {
  const registry = registryArg(host);
  const client = new RegistryClient({
    credentials: new StaticStore({ [registry]: credential }),
    ...(options.plainHttp ? { plainHttp: options.plainHttp } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.log ? { log: options.log } : {}),
    retry: { maxRetries: 2 },
  });
  try {
    const res = await client.send({ registry, method: 'GET', path: '/v2/', scopes: [] });
    if (res.status !== 200) throw await client.errorFrom(res);
    await drain(res);
  } catch (e) {
    if (e instanceof OcicatError && e.code === 'UNAUTHORIZED') {
      throw new OcicatError(
        'UNAUTHORIZED',
        `login to ${registry} failed: the registry refused the credentials`,
        { cause: e },
      );
    }
    throw e;
  } finally {
    await client.close();
  }
  const store = credentialsFile(options.home);
  await store.put(registry, credential);
  return { registry, stored: store.path };
}

export async function logout(
  options: GlobalOptions,
  host: string,
): Promise<{ registry: string; removed: boolean }> {
  const registry = registryArg(host);
  return { registry, removed: await credentialsFile(options.home).remove(registry) };
}
