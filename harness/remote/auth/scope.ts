// Token scopes, Docker token spec ("Scope"): repository:<name>:<action>[,<action>]

export type Action = 'pull' | 'push' | 'delete' | '*';

export interface Scope {
  repository: string;
  actions: Action[];
}

export function pullScope(repository: string): Scope {
  return { repository, actions: ['pull'] };
}

export function pushScope(repository: string): Scope {
  return { repository, actions: ['pull', 'push'] };
}

export function deleteScope(repository: string): Scope {
  return { repository, actions: ['delete'] };
}

/** Merge scopes per repository, sort for a stable cache key. */
export function normalizeScopes(scopes: Scope[]): Scope[] {
  const byRepo = new Map<string, Set<Action>>();
  for (const s of scopes) {
    const set = byRepo.get(s.repository) ?? new Set<Action>();
    for (const a of s.actions) set.add(a);
    byRepo.set(s.repository, set);
  }
  return [...byRepo.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([repository, actions]) => ({ repository, actions: [...actions].sort() }));
}

export function scopeStrings(scopes: Scope[]): string[] {
  return normalizeScopes(scopes).map((s) => `repository:${s.repository}:${s.actions.join(',')}`);
}

/** Parse the scope parameter of a Bearer challenge (space separated). */
export function parseScopeParam(value: string | undefined): Scope[] {
  if (!value) return [];
  const out: Scope[] = [];
  for (const part of value.split(' ')) {
    const m = /^repository(?:\([^)]*\))?:(.+):([a-z*,]+)$/.exec(part);
    if (m?.[1] && m[2]) out.push({ repository: m[1], actions: m[2].split(',') as Action[] });
  }
  return out;
}

/** True when `have` grants everything `want` asks for. */
export function covers(have: Scope[], want: Scope[]): boolean {
  const granted = new Map(normalizeScopes(have).map((s) => [s.repository, new Set(s.actions)]));
  return normalizeScopes(want).every((w) => {
    const g = granted.get(w.repository);
    return g !== undefined && (g.has('*') || w.actions.every((a) => g.has(a)));
  });
}
