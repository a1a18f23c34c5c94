// Two measured ways a registry answers DELETE of a blob with 202 and keeps it
// (REGISTRY-FACTS "Seen here on 2026-12-01"), as proxy rules: the checks of
// delete.blob.shared and delete.blob.empty-config are shown to fail behind them.
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

/** Harbor 2.15.2: DELETE of the empty JSON blob {} answers 202, and a HEAD right after 200. */
export function keepsEmptyJsonBlob(): Rule {
  return {
    name: 'harbor: DELETE of the empty JSON blob answers 202 and keeps it',
    method: 'DELETE',
    path: new RegExp(`/blobs/${EMPTY_JSON_DIGEST}$`),
    reply: { status: 202 },
  };
}
