// Pieces the registry profiles share.
import { header, type ProxyRequest, type Reply, type Rule, type Upstream } from '../rule.ts';

/** One behaviour a profile reproduces, and where it is known from. */
export interface Emulated {
  what: string;
  /** "measured <version>", "documented", or "reported" (REGISTRY-FACTS says where). */
  source: string;
}

/** For rules taken from REGISTRY-FACTS "Registry behaviours": not measured against the service here. */
export const REPORTED = 'REGISTRY-FACTS "Registry behaviours": documented or reported, not measured here';

export interface Profile {
  name: string;
  title: string;
  /** The version of the registry the profile describes. */
  version: string;
  /** The REGISTRY-FACTS lines this profile reproduces, each with its source. */
  emulates: Emulated[];
  /** What it cannot reproduce in front of distribution, said plainly. */
  omits: string[];
  /** Where test repositories may live (Harbor: below an existing project). */
  namespace?: string;
  rules(): Rule[];
}

export const EMPTY_CONFIG_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
export const EMPTY_BLOB_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const OCI_ARTIFACT_MANIFEST = 'application/vnd.oci.artifact.manifest.v1+json';

export const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/?]+$/;
export const REFERRERS_PATH = /^\/v2\/.+\/referrers\/[^/?]+/;
export const TAGS_PATH = /^\/v2\/.+\/tags\/list(\?.*)?$/;
export const UPLOAD_PATH = /\/blobs\/uploads\//;

export function json(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body.toString()) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function configMediaType(body: Buffer): string | undefined {
  const c = json(body)?.config as { mediaType?: string } | undefined;
  return c?.mediaType;
}

export function queryOf(req: ProxyRequest): URLSearchParams {
  return new URL(req.path, 'http://x').searchParams;
}

export function repoOf(path: string): string {
  return /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\//.exec(path)?.[1] ?? '';
}

/** A registry without the referrers API: a plain 404, no OCI index. */
export function noReferrers(registry: string): Rule {
  return {
    name: `${registry}: no referrers API`,
    method: 'GET',
    path: REFERRERS_PATH,
    reply: { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found\n' },
  };
}

/** Drop OCI-Subject from manifest PUT answers (the registry did not index the subject). */
export function noSubjectHeader(registry: string): Rule {
  return {
    name: `${registry}: no OCI-Subject`,
    method: 'PUT',
    path: MANIFEST_PATH,
    action: {
      kind: 'rewrite',
      rewrite: (a) => {
        const { 'oci-subject': _, ...headers } = a.headers;
        return { status: a.status, headers };
      },
    },
  };
}

/**
 * Serve the tag list in pages the registry itself does not make: fetch the
 * whole list from upstream, cut a page after `last` (or the `next_page` token),
 * and point to the next one with a Link header built by `linkFor`.
 */
export function paginateTags(
  name: string,
  pageSize: number,
  linkFor: (repo: string, n: number, lastTag: string) => string,
): Rule {
  return {
    name,
    method: 'GET',
    path: TAGS_PATH,
    reply: async (req: ProxyRequest, upstream: Upstream): Promise<Reply> => {
      const repo = /^\/v2\/(.+)\/tags\/list/.exec(req.path)![1]!;
      const q = queryOf(req);
      const auth = header(req, 'authorization');
      const all = await upstream(
        'GET',
        `/v2/${repo}/tags/list?n=100000`,
        auth ? { authorization: auth } : {},
      );
      if (all.status !== 200)
        return { status: all.status, headers: { 'content-type': 'application/json' }, body: all.body };
      const tags = ((json(all.body)?.tags as string[] | null) ?? []).slice().sort();
      const n = Math.min(Number(q.get('n') ?? pageSize) || pageSize, pageSize);
      const after =
        q.get('last') ??
        (q.get('next_page') ? Buffer.from(q.get('next_page')!, 'base64url').toString() : undefined);
      const start = after === undefined ? 0 : tags.findIndex((t) => t > after);
      const page = start < 0 ? [] : tags.slice(start, start + n);
      const more = start >= 0 && start + n < tags.length;
      return {
        status: 200,
        headers: {
          'content-type': 'application/json',
          ...(more ? { link: linkFor(repo, n, page[page.length - 1]!) } : {}),
        },
        body: JSON.stringify({ name: repo, tags: page }),
      };
    },
  };
}
