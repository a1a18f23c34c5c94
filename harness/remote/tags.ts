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
  /** Safety stop for runaway pagination. */
  maxPages?: number;
}

/** The URL of rel="next" in a Link header, if any. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (m && /(?:^|;)\s*rel="?next"?\s*(?:;|$)/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

export async function listTags(repo: RepoRef, options: ListTagsOptions = {}): Promise<string[]> {
  const n = options.pageSize ?? 1000;
  const maxPages = options.maxPages ?? 10_000;
  const seen = new Set<string>();
  const tags: string[] = [];
  const visited = new Set<string>();
  let path: string | undefined = `${tagsPath(repo.repository)}?n=${n}`;
  for (let page = 0; path && page < maxPages; page++) {
    if (visited.has(path)) break;
    visited.add(path);
    const res = await repo.client.expect(
      { registry: repo.registry, method: 'GET', path, scopes: [pullScope(repo.repository)] },
      [200],
    );
    const link = header(res, 'link');
    const body = (await readBody(res, 64 * 1024 * 1024)).toString('utf8');
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
    let added = 0;
    for (const t of pageTags as string[]) {
      if (!seen.has(t)) {
        seen.add(t);
        tags.push(t);
        added++;
      }
    }
    const next = nextLink(link);
    if (next) path = next;
    else if (pageTags.length >= n && added > 0) {
      // No Link but a full page: ask for what follows the last tag.
      path = `${tagsPath(repo.repository)}?n=${n}&last=${encodeURIComponent(pageTags[pageTags.length - 1] as string)}`;
    } else path = undefined;
  }
  return tags;
}
