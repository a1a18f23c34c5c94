// Every local registry, in every auth variant, through the process provider:
// it starts, a push and pull go through it, and stop() leaves no process, temp
// dir or token server behind. A registry this machine lacks is a skip with the
// reason (npm run setup builds it), never a pass.
import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isOcicatError } from '../../harness/errors.ts';
import { StaticStore } from '../../harness/remote/auth/credential.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { refreshTokenFor } from '../../registries/auth/token-server.ts';
import { LOCAL_REGISTRIES } from '../../registries/definitions/index.ts';
import { startProcess } from '../../registries/providers/process.ts';
import type { AuthVariant, StartedRegistry } from '../../registries/types.ts';
import { clientFor, tryStart } from '../support/registry.ts';
import { roundTrip } from '../support/roundtrip.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function leftNothing(reg: StartedRegistry): Promise<void> {
  expect(alive(reg.pid!)).toBe(false);
  await expect(access(reg.dir!)).rejects.toThrow();
  if (reg.token) await expect(fetch(reg.token.realm)).rejects.toThrow();
}

const cases = LOCAL_REGISTRIES.flatMap((def) => def.auths.map((auth) => [def, auth] as const));

describe('process provider', () => {
  it.for(cases.map(([d, a]) => [`${d.title} (${a})`, d, a] as const))('%s', async ([, def, auth], ctx) => {
    const { reg, skip } = await tryStart(() => startProcess(def, { auth: auth as AuthVariant }));
    if (!reg) return ctx.skip(skip ?? 'unavailable');
    try {
      expect(reg.name).toBe(def.name);
      expect(reg.version).toMatch(/^\d+\.\d+\.\d+$/);
      const client = clientFor(reg, reg.caFile ? { caFile: reg.caFile } : {});
      try {
        await roundTrip(client, reg.host);
      } finally {
        await client.close();
      }
      if (auth === 'htpasswd' || auth === 'token') {
        const anon = new RegistryClient({ plainHttp: true, retry: { maxRetries: 0 } });
        const err = await new RemoteRepository(anon, { registry: reg.host, repository: 'roundtrip/app' })
          .listTags()
          .catch((e) => e);
        await anon.close();
        expect(isOcicatError(err, 'UNAUTHORIZED')).toBe(true);
      }
      if (auth === 'token' && def.ownTokenServer) {
        // the registry's own token server (olareg): the challenge names it, not the harness's
        expect(reg.token).toBeUndefined();
        const res = await fetch(`http://${reg.host}/v2/`);
        expect(res.headers.get('www-authenticate')).toMatch(
          new RegExp(`^Bearer realm="http://${reg.host.replace(/\./g, '\\.')}/token"`),
        );
      } else if (auth === 'token') {
        expect(
          reg.token!.requests.some(
            (r) => r.grant === 'basic' && r.scopes.some((s) => s.endsWith(':pull,push')),
          ),
        ).toBe(true);
        // an identity token (OAuth2 refresh token) works too, through POST
        const refresh = await refreshTokenFor(reg.token!, reg.login!);
        const viaRefresh = new RegistryClient({
          plainHttp: true,
          credentials: new StaticStore({ [reg.host]: { identityToken: refresh } }),
        });
        expect(
          await new RemoteRepository(viaRefresh, {
            registry: reg.host,
            repository: 'roundtrip/app',
          }).listTags(),
        ).toContain('v1');
        await viaRefresh.close();
        expect(reg.token!.requests.some((r) => r.method === 'POST' && r.grant === 'refresh_token')).toBe(
          true,
        );
      }
    } finally {
      await reg.stop();
    }
    await leftNothing(reg);
  });
});
