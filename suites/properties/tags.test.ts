// Property: a real registry accepts exactly the generated tags that our parser
// accepts (a manifest PUT under the tag answers 201, or a 4xx for a bad tag).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcParams } from '../../fixtures/fc.ts';
import { digestOf } from '../../harness/oci/digest.ts';
import { encodeManifest } from '../../harness/oci/manifest.ts';
import { OCI_MANIFEST } from '../../harness/oci/media-types.ts';
import { isValidTag } from '../../harness/oci/reference.ts';
import { pushScope } from '../../harness/remote/auth/scope.ts';
import { bufferSource } from '../../harness/remote/blob-source.ts';
import { bufferBody, type RegistryClient } from '../../harness/remote/client.ts';
import { drain } from '../../harness/remote/http.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { distribution3 } from '../../registries/definitions/distribution3.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { RegistryUnavailable, type StartedRegistry } from '../../registries/types.ts';
import { clientFor } from '../support/registry.ts';

let reg: StartedRegistry | undefined;
let client: RegistryClient;
let manifest: Buffer;

beforeAll(async () => {
  reg = await startProcess(distribution3).catch(async (e) => {
    if (e instanceof RegistryUnavailable) return startProcess(distribution2).catch(() => undefined);
    throw e;
  });
  if (!reg) return;
  client = clientFor(reg);
  const repo = new RemoteRepository(client, { registry: reg.host, repository: 'props/tags' });
  const cfg = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const cd = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: digestOf(cfg),
    size: cfg.length,
  };
  await repo.pushBlob(cd, bufferSource(cfg));
  manifest = encodeManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: cd, layers: [] });
});
afterAll(async () => {
  await client?.close();
  await reg?.stop();
});

describe('tags (property, real registry)', () => {
  it('the registry accepts exactly the tags the parser accepts', async (ctx) => {
    if (!reg) return ctx.skip('no local registry');
    // URL-safe characters only: the property is about the tag grammar, not URL escaping
    const candidate = fc.oneof(
      fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/),
      fc.stringMatching(/^[a-zA-Z0-9._-]{1,130}$/),
    );
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(candidate, async (tag) => {
        const res = await client.send({
          registry: reg!.host,
          method: 'PUT',
          path: `/v2/props/tags/manifests/${tag}`,
          headers: { 'content-type': OCI_MANIFEST },
          body: bufferBody(manifest),
          scopes: [pushScope('props/tags')],
          retry: false,
        });
        await drain(res);
        const accepted = res.status === 201;
        if (!accepted) expect(res.status, `tag "${tag}"`).toBeGreaterThanOrEqual(400);
        expect(accepted, `tag "${tag}" answered ${res.status}`).toBe(isValidTag(tag));
        seen[accepted ? 'accepted' : 'refused']++;
      }),
      fcParams(150, {
        examples: [['a'.repeat(128)], ['a'.repeat(129)], ['.hidden'], ['-dash'], ['_ok'], ['v1.2.3']],
      }),
    );
    process.stdout.write(
      `tags property: ${seen.accepted} accepted, ${seen.refused} refused by ${reg.name} ${reg.version}, as the parser said\n`,
    );
    expect(seen.refused).toBeGreaterThan(0);
  }, 120_000);
});
