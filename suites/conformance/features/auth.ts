// Authentication features: which scheme the registry challenges with, and that
// our flows through it work (Basic; Bearer via GET; identity tokens via OAuth2 POST).

import { parseChallenges } from '../../../harness/remote/auth/challenge.ts';
import { StaticStore } from '../../../harness/remote/auth/credential.ts';
import { RegistryClient } from '../../../harness/remote/client.ts';
import { drain, header } from '../../../harness/remote/http.ts';
import { RemoteRepository } from '../../../harness/remote/repository.ts';
import { createTransport } from '../../../harness/remote/transport.ts';
import { expectThat, type Feature, type FeatureContext, pass, skip, unsupported } from '../feature.ts';

/**
 * The registry's challenge to an unauthenticated GET /v2/ (scheme and realm), or
 * undefined when it lets anyone in. A raw request: a client would answer a Bearer
 * challenge itself (with an anonymous token) and hide it.
 */
async function challengeOf(ctx: FeatureContext): Promise<{ scheme: string; realm?: string } | undefined> {
  const t = ctx.target;
  const transport = createTransport({
    ...(t.caFile ? { caFile: t.caFile } : {}),
    ...(t.insecure ? { insecure: true } : {}),
  });
  try {
    const res = await transport.request({
      method: 'GET',
      url: `${t.plainHttp ? 'http' : 'https'}://${t.host}/v2/`,
      headers: {},
    });
    await drain(res);
    if (res.status !== 401) return undefined;
    const www = header(res, 'www-authenticate');
    const c = www ? parseChallenges(www)[0] : undefined;
    return c ? { scheme: c.scheme, ...(c.params.realm ? { realm: c.params.realm } : {}) } : undefined;
  } finally {
    await transport.close();
  }
}

const challengeScheme = async (ctx: FeatureContext) => (await challengeOf(ctx))?.scheme;

async function authenticatedWorks(ctx: FeatureContext): Promise<void> {
  const r = ctx.repo(ctx.fresh('auth'));
  const tags = await r.listTags().catch((e: Error & { code?: string }) => {
    if (e.code === 'NOT_FOUND') return [];
    throw e;
  });
  expectThat(Array.isArray(tags), 'an authenticated request failed');
}

export const authFeatures: Feature[] = [
  {
    id: 'auth.basic',
    title: 'Basic authentication: challenged anonymously, accepted with the login',
    area: 'auth',
    optional: true,
    async run(ctx) {
      const scheme = await challengeScheme(ctx);
      if (scheme !== 'basic')
        return skip(
          scheme ? `the registry challenges with ${scheme}` : 'this variant needs no authentication',
        );
      expectThat(ctx.target.credential !== undefined, 'no login for a registry that asks for one');
      await authenticatedWorks(ctx);
      return pass();
    },
  },
  {
    id: 'auth.token',
    title: 'Bearer token authentication through the challenge realm (GET)',
    area: 'auth',
    optional: true,
    async run(ctx) {
      const scheme = await challengeScheme(ctx);
      if (scheme !== 'bearer')
        return skip(
          scheme ? `the registry challenges with ${scheme}` : 'this variant needs no authentication',
        );
      await authenticatedWorks(ctx);
      return pass();
    },
  },
  {
    id: 'auth.identity-token',
    title: 'An identity token (OAuth2 refresh token) is traded for access tokens',
    area: 'auth',
    optional: true,
    async run(ctx) {
      const t = ctx.target;
      let identityToken = t.credential?.identityToken;
      // the token endpoint the registry itself names (the harness's token server, or
      // the registry's own: olareg's, Harbor's)
      const challenge = t.credential?.username && t.credential.password ? await challengeOf(ctx) : undefined;
      const realm = challenge?.scheme.toLowerCase() === 'bearer' ? challenge.realm : undefined;
      if (!identityToken && realm && t.credential?.username && t.credential.password) {
        const res = await fetch(realm, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'password',
            username: t.credential.username,
            password: t.credential.password,
            access_type: 'offline',
            client_id: 'ocicat',
            service: 'ocicat-registry',
          }),
        });
        // the OAuth2 grant is optional in the token protocol: olareg's and Harbor's token
        // endpoints answer GET only (REGISTRY-FACTS), which is unsupported, not wrong
        if (!res.ok)
          return unsupported(
            `the token endpoint refuses the OAuth2 password grant (POST answered ${res.status})`,
          );
        identityToken = ((await res.json().catch(() => ({}))) as { refresh_token?: string }).refresh_token;
        if (identityToken === undefined) return unsupported('the token endpoint issued no refresh token');
      }
      if (!identityToken) return skip('no identity token for this variant (token servers only)');
      const logs: string[] = [];
      const client = new RegistryClient({
        plainHttp: t.plainHttp,
        credentials: new StaticStore({ [t.host]: { identityToken } }),
        ...(t.caFile ? { caFile: t.caFile } : {}),
        log: (l) => logs.push(l),
      });
      try {
        await new RemoteRepository(client, { registry: t.host, repository: ctx.fresh('idt') })
          .listTags()
          .catch((e: Error & { code?: string }) => {
            if (e.code !== 'NOT_FOUND') throw e;
          });
      } finally {
        await client.close();
      }
      const viaPost = logs.some((l) => l.startsWith('POST') && l.includes('(token)'));
      return pass(
        viaPost ? 'OAuth2 POST grant_type=refresh_token' : 'GET with the token as password (POST refused)',
      );
    },
  },
];
