// What a process wrote to registries: every manifest and blob a registry
// accepted, as the client saw it. A vendor run deletes exactly these at its end
// (issue 14: a run that tracked only what one test registered left 95 repositories
// of residue in a real Harbor after two runs). Listeners are process-wide, so the
// ops' own clients (package, push, promote) are seen too, not only the suite's.
import { createHash } from 'node:crypto';

export interface WriteRecord {
  registry: string;
  repository: string;
  /** "repository": something was written there that the client cannot name (a peer tool's push). */
  kind: 'manifest' | 'blob' | 'repository';
  digest?: string;
}

type Listener = (r: WriteRecord) => void;
const listeners = new Set<Listener>();

/** Called for every write a registry accepts; returns the unsubscribe function. */
export function onWrite(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function recordWrite(r: WriteRecord): void {
  for (const l of listeners) l(r);
}

export function hasWriteListeners(): boolean {
  return listeners.size > 0;
}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * The write a request made, from its method, URL, answer and body (distribution-spec
 * 1.1 endpoints end-2 to end-7 and end-11): a manifest PUT, an upload's closing PUT
 * or monolithic POST (?digest=), a mount (?mount=). Undefined for anything else.
 */
export function writeOf(
  registry: string,
  method: string,
  url: string,
  status: number,
  digestHeader: string | undefined,
  body: Buffer | undefined,
): WriteRecord | undefined {
  if (status !== 201 && status !== 202) return undefined;
  const u = new URL(url, 'http://x');
  const m = /^\/v2\/(.+?)\/(manifests|blobs)\/(.*)$/.exec(u.pathname);
  if (!m) return undefined;
  const repository = m[1]!;
  if (m[2] === 'manifests') {
    if (method !== 'PUT' || status !== 201) return undefined;
    const ref = decodeURIComponent(m[3]!);
    const digest =
      digestHeader && DIGEST.test(digestHeader)
        ? digestHeader
        : DIGEST.test(ref)
          ? ref
          : body
            ? `sha256:${createHash('sha256').update(body).digest('hex')}`
            : undefined;
    return digest
      ? { registry, repository, kind: 'manifest', digest }
      : { registry, repository, kind: 'repository' };
  }
  if (!m[3]!.startsWith('uploads/')) return undefined;
  const q = u.searchParams;
  if (method === 'POST' && q.get('mount') && status === 201)
    return { registry, repository, kind: 'blob', digest: q.get('mount')! };
  if ((method === 'PUT' && status === 201) || (method === 'POST' && q.get('digest')))
    return q.get('digest') ? { registry, repository, kind: 'blob', digest: q.get('digest')! } : undefined;
  return undefined;
}
