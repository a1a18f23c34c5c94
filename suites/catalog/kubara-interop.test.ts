// kubara interop against real distribution 2.8 and 3.x (issue 12): `oras pull`
// (oras-go's file store, through which kubara pulls) extracts an ocicat-pushed
// catalog as the catalog folder; `oras push` of a folder gives a catalog ocicat
// pulls and unpackages; kubara's own artifacts pull at kubara's digests and
// unpackage to kubara's trees; a layer whose content digest lies is refused with
// nothing cached.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVector, VECTORS_MISSING, vectorsDir } from '../../fixtures/kubara-vectors.ts';
import { digestOf } from '../../harness/oci/digest.ts';
import { OCI_MANIFEST } from '../../harness/oci/media-types.ts';
import { bufferSource } from '../../harness/remote/blob-source.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { distribution3 } from '../../registries/definitions/distribution3.ts';
import { startProcess } from '../../registries/providers/process.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { catalogFeatures } from '../conformance/features/catalog.ts';
import { interopFeatures } from '../conformance/features/interop.ts';
import { runFeature } from '../conformance/run-feature.ts';
import type { Target } from '../conformance/target.ts';
import { ocicat } from '../support/cli.ts';
import { clientFor, tryStart } from '../support/registry.ts';

const FEATURES = ['interop.oras.pull', 'interop.oras.push', 'catalog.kubara-artifacts'];

describe.each([
  ['distribution 2.8', distribution2],
  ['distribution 3.x', distribution3],
])('kubara interop on %s', (_, def) => {
  let reg: StartedRegistry | undefined;
  let skip = '';
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocicat-kubara-interop-'));
    const started = await tryStart(() => startProcess(def));
    reg = started.reg;
    skip = started.skip ?? '';
  });
  afterAll(async () => {
    await reg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.for(FEATURES)('%s passes', async (id, ctx) => {
    if (!reg) return ctx.skip(skip);
    if (id === 'catalog.kubara-artifacts' && !vectorsDir()) return ctx.skip(VECTORS_MISSING);
    const feature = [...interopFeatures, ...catalogFeatures].find((f) => f.id === id)!;
    const target: Target = {
      id: `${reg.name}/process/anonymous`,
      title: reg.name,
      name: reg.name,
      version: reg.version,
      provider: 'process',
      auth: 'anonymous',
      host: reg.host,
      plainHttp: reg.plainHttp,
      namespace: 'kubara-interop',
    };
    const r = await runFeature(feature, { targets: [target] }, target);
    expect(r.status, `${r.detail}\n${(r.evidence ?? []).join('\n')}`).toBe('pass');
  });

  it('a layer whose io.deis.oras.content.digest lies is refused, nothing cached', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    if (!vectorsDir()) return ctx.skip(VECTORS_MISSING);
    const v = await loadVector('demo');
    const lie = JSON.parse(v.manifest.toString());
    lie.layers[0].annotations['io.deis.oras.content.digest'] = `sha256:${'1'.repeat(64)}`;
    const bytes = Buffer.from(JSON.stringify(lie));
    const client = clientFor(reg);
    const repo = new RemoteRepository(client, { registry: reg.host, repository: 'kubara/liar' });
    await repo.pushBlob(lie.config, bufferSource(Buffer.from('{}')));
    await repo.pushBlob(lie.layers[0], bufferSource(v.layer));
    await repo.putManifest('0.1.0', bytes, OCI_MANIFEST);
    await client.close();
    const home = join(dir, `home-${digestOf(bytes).slice(7, 15)}`);
    const r = await ocicat(['catalog', 'pull', `oci://${reg.host}/kubara/liar:0.1.0`, '--plain-http'], {
      home,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: content digest mismatch: the layer unpacks to sha256:213757f1/);
    expect(
      JSON.parse(await readFile(join(home, 'cache', 'refs.json'), 'utf8').catch(() => '{}')).refs ?? [],
    ).toEqual([]);
    const list = await ocicat(['catalog', 'list', '--json'], { home });
    expect(list.stdout.trim()).toBe('[]');
  });
});
