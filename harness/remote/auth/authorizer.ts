// Decides the Authorization header for each request, per registry:
// - nothing until the registry challenges us;
// - Basic when it challenges with Basic (then sent pre-emptively);
// - Bearer tokens fetched per scope set and cached until they expire; once a
//   registry is known to want Bearer, tokens for new scopes are fetched before the
//   request, so an upload body is not sent only to be refused.
import { OcicatError } from '../../errors.ts';
import { basicPairs } from '../redact.ts';
import { type Challenge, parseChallenges, pickChallenge } from './challenge.ts';
import type { Credential, CredentialStore } from './credential.ts';
import { covers, normalizeScopes, parseScopeParam, type Scope } from './scope.ts';
import { basicHeader, fetchToken, type Token, type TokenHttp } from './token.ts';

interface HostState {
  challenge?: Challenge;
  tokens: Token[];
  credential?: Credential | null; // null: looked up, none
}

const EXPIRY_MARGIN_MS = 5_000;

export class Authorizer {
  private readonly hosts = new Map<string, HostState>();
  private readonly store: CredentialStore | undefined;
  private readonly http: TokenHttp;

  constructor(http: TokenHttp, store?: CredentialStore) {
    this.http = http;
    this.store = store;
  }

  private state(registry: string): HostState {
    let s = this.hosts.get(registry);
    if (!s) {
      s = { tokens: [] };
      this.hosts.set(registry, s);
    }
    return s;
  }

  async credential(registry: string): Promise<Credential | undefined> {
    const s = this.state(registry);
    if (s.credential === undefined) s.credential = (await this.store?.get(registry)) ?? null;
    return s.credential ?? undefined;
  }

  /** Secrets known for a registry, to scrub from anything printed. */
  knownSecrets(): string[] {
    const out: string[] = [];
    for (const s of this.hosts.values()) {
      if (s.credential)
        out.push(
          ...[s.credential.password, s.credential.identityToken, s.credential.registryToken].filter(
            (x): x is string => !!x,
          ),
          ...basicPairs([s.credential]),
        );
      for (const t of s.tokens) out.push(t.token);
    }
    return out;
  }

  /** The header for a request needing `scopes`, or undefined to go anonymous. */
  async header(registry: string, scopes: Scope[]): Promise<string | undefined> {
    const s = this.state(registry);
    const ch = s.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') {
      const c = await this.credential(registry);
      return c?.username !== undefined && c.password !== undefined
        ? basicHeader(c.username, c.password)
        : undefined;
    }
    const now = Date.now();
    s.tokens = s.tokens.filter((t) => t.expiresAt - EXPIRY_MARGIN_MS > now);
    const hit = s.tokens.find((t) => covers(t.scopes, scopes));
    if (hit) return `Bearer ${hit.token}`;
    const token = await fetchToken(this.http, registry, ch, scopes, await this.credential(registry));
    s.tokens.push(token);
    return `Bearer ${token.token}`;
  }

  /**
   * Learn from a 401. Returns true when a retry with new authorization can help,
   * false when we have nothing better to offer (then the 401 stands).
   */
  async onUnauthorized(
    registry: string,
    wwwAuthenticate: string | undefined,
    scopes: Scope[],
    sent: string | undefined,
  ): Promise<boolean> {
    if (!wwwAuthenticate) return false;
    const ch = pickChallenge(parseChallenges(wwwAuthenticate));
    if (!ch) {
      throw new OcicatError(
        'UNAUTHORIZED',
        `${registry}: the registry asks for an authentication scheme ocicat does not speak`,
      );
    }
    const s = this.state(registry);
    s.challenge = ch;
    if (ch.scheme === 'basic') {
      const c = await this.credential(registry);
      const haveBasic = c?.username !== undefined && c.password !== undefined;
      return haveBasic && !sent?.startsWith('Basic ');
    }
    // Bearer: the registry may name the scope it wants (e.g. after an insufficient_scope error).
    const wanted = normalizeScopes([...scopes, ...parseScopeParam(ch.params.scope)]);
    if (sent?.startsWith('Bearer ')) {
      // The token we sent was refused: expired, revoked, or too narrow. Forget it and
      // fetch a fresh one; the client allows one such round per request, so a token
      // the registry keeps refusing ends in UNAUTHORIZED rather than a loop.
      const old = sent.slice('Bearer '.length);
      s.tokens = s.tokens.filter((t) => t.token !== old);
    }
    const token = await fetchToken(this.http, registry, ch, wanted, await this.credential(registry));
    s.tokens.push(token);
    return true;
  }

  /** Forget tokens (e.g. after a credential change). */
  reset(registry?: string): void {
    if (registry) this.hosts.delete(registry);
    else this.hosts.clear();
  }
}
