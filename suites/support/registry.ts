// Start a registry for a suite, or record why it cannot run here (a skip, never a pass).

import { StaticStore } from '../../harness/remote/auth/credential.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
import { RegistryUnavailable, type StartedRegistry } from '../../registries/types.ts';

export async function tryStart(
  start: () => Promise<StartedRegistry>,
): Promise<{ reg?: StartedRegistry; skip?: string }> {
  try {
    return { reg: await start() };
  } catch (e) {
    if (e instanceof RegistryUnavailable) return { skip: e.message };
    throw e;
  }
}

export function clientFor(
  reg: StartedRegistry,
  options: ConstructorParameters<typeof RegistryClient>[0] = {},
): RegistryClient {
  return new RegistryClient({
    plainHttp: reg.plainHttp,
    ...(reg.credential || reg.login
      ? { credentials: new StaticStore({ [reg.host]: reg.credential ?? reg.login! }) }
      : {}),
    ...(reg.caFile ? { caFile: reg.caFile } : {}),
    ...(reg.insecure ? { insecure: true } : {}),
    ...options,
  });
}
