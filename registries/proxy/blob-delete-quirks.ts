// Two measured ways a registry answers DELETE of a blob with 202 and keeps it
// (REGISTRY-FACTS "Seen here on 2026-12-01"), as proxy rules: the checks of
// delete.blob.shared and delete.blob.empty-config are shown to fail behind them.
import { createHash } from 'node:crypto';
import { queryOf, repoOf } from './profiles/common.ts';
import type { Rule } from './rule.ts';

export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

const blobDigest = (path: string) =>
  /\/blobs\/(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})(?:\?|$)/.exec(path)?.[1];

/**
 * Zot 2.1.20 with storage dedupe on: a DELETE answers 202, and the blob stays
 * readable while another repository holds the same bytes (one stored copy).
 */
export function keepsSharedBlobs(): Rule[] {
  const holders = new Map<string, Set<string>>(); // digest -> repositories that received it
  const hold = (digest: string | null | undefined, repo: string) => {
    if (!digest) return;
    if (!holders.has(digest)) holders.set(digest, new Set());
    holders.get(digest)!.add(repo);
  };
  return [
    {
      name: 'zot (dedupe): records which repositories receive each blob',
      method: ['PUT', 'POST'],
      path: /\/blobs\/uploads\//,
      when: (req) => {
        const q = queryOf(req);
        hold(q.get('digest') ?? q.get('mount'), repoOf(req.path));
        return false;
      },
      reply: { status: 500 },
    },
    {
      name: 'zot (dedupe): DELETE 202 keeps a blob another repository holds',
      method: 'DELETE',
      when: (req) => {
        const d = blobDigest(req.path);
        const repo = repoOf(req.path);
        return d !== undefined && [...(holders.get(d) ?? [])].some((r) => r !== repo);
      },
      reply: { status: 202 },
    },
  ];
}

/**
 * Harbor 2.15.2: DELETE of the empty JSON blob {} answers 202, and a HEAD right
 * after answers 200 (the official case "sha256 blobs/emptyJSON/blob-delete"), while
 * the repository's manifests use it (issue 22); once they are deleted it goes (the
 * official data sets' delete steps, which delete their manifest first, pass on the
 * real Harbor: REGISTRY-FACTS lists no such difference). Manifests are followed as
 * they pass through the proxy.
 */
export function keepsEmptyJsonBlob(): Rule[] {
  const users = new Map<string, Set<string>>(); // repository -> manifests that use {}
  const emptied = new Set<string>(); // repositories whose manifests using {} were all deleted
  const digestOf = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
  // observers: they record and never match, so the profile's other rules still act
  return [
    {
      name: 'harbor: (the manifests that use the empty JSON blob, for the rule below)',
      method: 'PUT',
      path: /\/manifests\/[^/]+$/,
      body: (body, req) => {
        if (body.includes(EMPTY_JSON_DIGEST)) {
          const repo = repoOf(req.path);
          if (!users.has(repo)) users.set(repo, new Set());
          users.get(repo)!.add(digestOf(body));
          emptied.delete(repo);
        }
        return false;
      },
      reply: { status: 500 },
    },
    {
      name: 'harbor: (a manifest deleted, for the rule below)',
      method: 'DELETE',
      path: /\/manifests\/sha256:[0-9a-f]{64}$/,
      when: (req) => {
        const repo = repoOf(req.path);
        const set = users.get(repo);
        if (set?.delete(/manifests\/(.+)$/.exec(req.path)![1]!) && set.size === 0) emptied.add(repo);
        return false;
      },
      reply: { status: 500 },
    },
    {
      name: 'harbor: DELETE of the empty JSON blob answers 202 and keeps it',
      method: 'DELETE',
      path: new RegExp(`/blobs/${EMPTY_JSON_DIGEST}$`),
      when: (req) => !emptied.has(repoOf(req.path)),
      reply: { status: 202 },
    },
  ];
}
