// A small push-then-pull through a started registry: blob (monolithic and
// chunked), manifest by tag, read back verified. Used by the provider suites.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { digestOf } from '../../harness/oci/digest.ts';
import { encodeManifest } from '../../harness/oci/manifest.ts';
import { EMPTY_JSON, OCI_MANIFEST } from '../../harness/oci/media-types.ts';
import { bufferSource } from '../../harness/remote/blob-source.ts';
import type { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';

export async function roundTrip(
  client: RegistryClient,
  host: string,
  repository = 'roundtrip/app',
): Promise<void> {
  const repo = new RemoteRepository(client, { registry: host, repository });
  const a = randomBytes(300_000);
  const b = randomBytes(2_500_000);
  const da = { digest: digestOf(a), size: a.length };
  const db = { digest: digestOf(b), size: b.length };
  expect((await repo.pushBlob(da, bufferSource(a))).via).toBe('monolithic');
  expect(
    (await repo.pushBlob(db, bufferSource(b), { strategy: 'chunked', chunkSize: 1024 * 1024 })).via,
  ).toBe('chunked');
  await repo.pushBlob(EMPTY_JSON, bufferSource(Buffer.from('{}')));
  const m = encodeManifest({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: 'application/vnd.example.roundtrip',
    config: EMPTY_JSON,
    layers: [
      { mediaType: 'application/octet-stream', ...da },
      { mediaType: 'application/octet-stream', ...db },
    ],
  });
  await repo.putManifest('v1', m, OCI_MANIFEST);
  const got = await repo.getManifest('v1');
  expect(got.descriptor.digest).toBe(digestOf(m));
  for (const [d, bytes] of [
    [da, a],
    [db, b],
  ] as const) {
    const chunks: Buffer[] = [];
    for await (const c of repo.readBlob(d)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  }
  expect(await repo.listTags()).toContain('v1');
}
