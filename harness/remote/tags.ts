// Tag listing, distribution-spec 1.1 "Listing Tags": ?n=<int>&last=<tag>, and
// Link: <url>; rel="next" for the next page (RFC 8288). distribution 2.8 ignores
// n/last and sends no Link; ECR refuses n > 1000 (REGISTRY-FACTS).
import { OcicatError } from '../errors.ts';
import { pullScope } from './auth/scope.ts';
import { header, readBody } from './http.ts';
import { tagsPath } from './paths.ts';
import type { RepoRef } from './repo-ref.ts';

export interface ListTagsOptions {
  /** Page size to ask for (n). Default 1000. */
  pageSize?: number;
  /** Caps against a registry that links to new pages for ever (issue 18): pages, tags, bytes. */
  maxPages?: number;
  maxTags?: number;
  maxBytes?: number;
}

export const TAG_LIST_LIMITS = { maxPages: 1000, maxTags: 100_000, maxBytes: 32 * 1024 * 1024 };
/** distribution-spec "Pulling manifests": a tag is [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}. */
export const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** The URL of rel="next" in a Link header, if any. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (m && /(?:^|;)\s*rel="?next"?\s*(?:;|$)/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

/**
 * The next page's path, if it is on the registry itself. A Link to another host
 * (or scheme or port) is refused, as oras and crane refuse it (issue 24 N11: it
 * was followed, a blind GET to any host the registry named, localhost included).
 */
function sameOrigin(repo: RepoRef, next: string): string {
  const base = new URL(repo.client.baseUrl(repo.registry));
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    throw new OcicatError(
      'PROTOCOL',
      `tags list of ${repo.repository}: its next page "${next.slice(0, 100)}" is not a URL`,
    );
  }
  if (url.origin !== base.origin)
    throw new OcicatError(
      'PROTOCOL',
      `tags list of ${repo.repository}: its next page is on ${url.origin}, not on the registry (${base.origin}); not followed`,
    );
  return `${url.pathname}${url.search}`;
}

export async function listTags(repo: RepoRef, options: ListTagsOptions = {}): Promise<string[]> {
  const n = options.pageSize ?? 1000;
  const { maxPages, maxTags, maxBytes } = { ...TAG_LIST_LIMITS, ...options };
  const tooMuch = (what: string) =>
    new OcicatError('PROTOCOL', `tags list of ${repo.repository} goes on past ${what}; stopped there`);
  let bytes = 0;
  const seen = new Set<string>();
  const tags: string[] = [];
  const visited = new Set<string>();
  let path: string | undefined = `${tagsPath(repo.repository)}?n=${n}`;
  for (let page = 0; path; page++) {
    if (page >= maxPages) throw tooMuch(`${maxPages} pages`);
    if (visited.has(path)) break;
    visited.add(path);
    const res = await repo.client.expect(
      { registry: repo.registry, method: 'GET', path, scopes: [pullScope(repo.repository)] },
      [200],
    );
    const link = header(res, 'link');
    const body = (await readBody(res, maxBytes - bytes)).toString('utf8');
    bytes += Buffer.byteLength(body);
    let doc: { tags?: unknown };
    try {
      doc = JSON.parse(body) as { tags?: unknown };
    } catch {
      throw new OcicatError('PROTOCOL', `tags list of ${repo.repository}: answer is not JSON`);
    }
    const pageTags = doc.tags === null || doc.tags === undefined ? [] : doc.tags;
    if (!Array.isArray(pageTags) || !pageTags.every((t) => typeof t === 'string')) {
      throw new OcicatError('PROTOCOL', `tags list of ${repo.repository}: "tags" is not a list of strings`);
    }
    const bad = (pageTags as string[]).find((t) => !TAG_RE.test(t));
    if (bad !== undefined)
      throw new OcicatError(
        'PROTOCOL',
        `tags list of ${repo.repository}: ${JSON.stringify(bad.slice(0, 140))} is not a tag (distribution-spec grammar)`,
      );
    let added = 0;
    for (const t of pageTags as string[]) {
      if (!seen.has(t)) {
        seen.add(t);
        tags.push(t);
        added++;
      }
    }
    if (tags.length > maxTags) throw tooMuch(`${maxTags} tags`);
    const next = nextLink(link);
    if (next) path = sameOrigin(repo, next);
    else if (pageTags.length >= n && added > 0) {
      // No Link but a full page: ask for what follows the last tag.
      path = `${tagsPath(repo.repository)}?n=${n}&last=${encodeURIComponent(pageTags[pageTags.length - 1] as string)}`;
    } else path = undefined;
  }
  return tags;
}
