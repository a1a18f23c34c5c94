// Which optional capabilities a registry says it lacks, asked before the run, so
// the official suite can run beside ocicat's features with its switches already
// set (issue 13: one registry's run, the official suite included, within 10 s):
// the referrers API (a 404 for an unknown subject), and DELETE of a manifest by
// tag and by digest (400 or 405). What it pushes is journaled and cleaned like
// the rest of the run.
import { randomBytes } from 'node:crypto';
import { digestOf } from '../../../harness/oci/digest.ts';
import { encodeManifest } from '../../../harness/oci/manifest.ts';
import { OCI_INDEX, OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { deleteScope, pullScope, pushScope } from '../../../harness/remote/auth/scope.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import { drain, readBody } from '../../../harness/remote/http.ts';
import { manifestPath, referrersPath } from '../../../harness/remote/paths.ts';
import { RemoteRepository } from '../../../harness/remote/repository.ts';
import { makeClient } from '../feature.ts';
import { IMAGE_CONFIG, IMAGE_CONFIG_DESC } from '../features/registry.ts';
import type { Target } from '../target.ts';
import { SWITCHES } from './rows.ts';

export type Switch = (typeof SWITCHES)[number];

export async function probeSwitches(target: Target): Promise<Switch[]> {
  const client = makeClient(target);
  const repository = `${target.namespace}/oci-suite-probe-${randomBytes(3).toString('hex')}`;
  const off = new Set<string>();
  try {
    const refs = await client.send({
      registry: target.host,
      method: 'GET',
      path: referrersPath(repository, `sha256:${'0'.repeat(64)}`),
      headers: { accept: OCI_INDEX },
      scopes: [pullScope(repository)],
      retry: false,
    });
    const body = (await readBody(refs, 1024 * 1024).catch(() => Buffer.alloc(0))).toString();
    if (refs.status !== 200 || !/"manifests"/.test(body)) off.add('referrers.api');
    const repo = new RemoteRepository(client, { registry: target.host, repository });
    await repo.pushBlob(IMAGE_CONFIG_DESC, bufferSource(IMAGE_CONFIG));
    const m = encodeManifest({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: IMAGE_CONFIG_DESC,
      layers: [],
    });
    await repo.putManifest('probe', m, OCI_MANIFEST);
    const del = async (reference: string) => {
      const res = await client.send({
        registry: target.host,
        method: 'DELETE',
        path: manifestPath(repository, reference),
        scopes: [pushScope(repository), deleteScope(repository)],
        retry: false,
      });
      await drain(res);
      return res.status === 202 || res.status === 200;
    };
    if (!(await del('probe'))) off.add('delete.tag');
    if (!(await del(digestOf(m)))) off.add('delete.manifest');
  } catch {
    // a registry the probe cannot even push to: no switch; the suite's own rows will say why
  } finally {
    await client.close();
  }
  return SWITCHES.filter((s) => off.has(s.feature));
}
