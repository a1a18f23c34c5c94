import type { Target } from './target.ts';

/**
 * The same target, said to hold the content of a registry repository (a cache of
 * it). A copy from it to that registry can then mount instead of uploading.
 */
export function locatedAt(t: Target, location: { registry: string; repository: string }): Target {
  return {
    name: t.name,
    location,
    exists: (d) => t.exists(d),
    fetch: (d) => t.fetch(d),
    push: (d, s, o) => t.push(d, s, o),
    resolve: (r) => t.resolve(r),
    tag: (d, r) => t.tag(d, r),
  };
}
