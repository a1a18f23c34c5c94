// copy: any artifact from one registry (or repository) to another, as `oras cp`
// and `crane copy` do (issue 27): an index and everything below it, children
// first, the tag last, digests unchanged, blobs mounted within one registry and
// streamed otherwise (the engine of the catalog promote, content/copy.ts). A Zarf
// package or a Helm chart is promoted like a catalog, with no local copy.
import { copy } from '../content/copy.ts';
import { RemoteTarget } from '../content/remote-target.ts';
import { OcicatError } from '../errors.ts';
import { formatReference, parseReference } from '../oci/reference.ts';
import type { OpsContext } from './context.ts';

export interface CopyResult {
  source: string;
  reference: string;
  digest: string;
  mediaType: string;
  /** Manifests and blobs written to the destination. */
  copied: number;
  /** Those it had already (with what is below them). */
  skipped: number;
}

export async function copyArtifact(
  ctx: OpsContext,
  source: string,
  destination: string,
): Promise<CopyResult> {
  const src = parseReference(source);
  const dst = parseReference(destination);
  if (!src.tag && !src.digest)
    throw new OcicatError('USAGE', `copy source ${source} has no tag or digest`, {
      hint: 'name what to copy: oci://host/repo:tag or oci://host/repo@sha256:...',
    });
  // a destination without a tag or digest takes the source's (as oras cp does)
  const to =
    dst.tag || dst.digest ? dst : { ...dst, ...(src.tag ? { tag: src.tag } : { digest: src.digest! }) };
  const from = new RemoteTarget(ctx.client, src);
  const into = new RemoteTarget(ctx.client, to);
  const onProgress = ctx.progress
    ? (d: { digest: string; size: number }, n: number) => ctx.progress!(d.digest, n, d.size)
    : undefined;
  const r = await copy(
    from,
    src.digest ?? src.tag!,
    into,
    to.tag ?? to.digest!,
    onProgress ? { onProgress } : {},
  );
  if (to.digest && to.digest !== r.root.digest)
    throw new OcicatError(
      'DIGEST_MISMATCH',
      `source ${formatReference(src)} is ${r.root.digest}, not ${to.digest}`,
    );
  return {
    source: formatReference(src),
    reference: formatReference(to),
    digest: r.root.digest,
    mediaType: r.root.mediaType,
    copied: r.copied,
    skipped: r.skipped,
  };
}
