// ocicat against kubara's own artifacts (kubara vectors): what kubara packaged,
// ocicat unpacks to kubara's tree; what ocicat packages of the same tree carries
// the same manifest and layer annotations, and for a tree whose modes are already
// normal (`gitnormal`) the very same uncompressed tar.
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadVector,
  treeLines,
  VECTOR_NAMES,
  VECTORS_MISSING,
  vectorsDir,
} from '../../fixtures/kubara-vectors.ts';
import { isOcicatError } from '../errors.ts';
import { digestOf } from '../oci/digest.ts';
import { parseManifest } from '../oci/manifest.ts';
import { OCI_MANIFEST } from '../oci/media-types.ts';
import { buildArtifact, layerDescriptor, readArtifact } from './artifact.ts';
import { readCatalog } from './model.ts';
import { packTree } from './pack.ts';
import { unpackLayer } from './unpack.ts';
import { validateCatalog } from './validate.ts';

const have = vectorsDir() !== undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-kubara-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const once = (b: Buffer) =>
  (async function* () {
    yield b;
  })();

async function packed(src: string, name: string) {
  const p = await packTree(src, name);
  const chunks: Buffer[] = [];
  for await (const c of p.stream) chunks.push(c);
  const layer = Buffer.concat(chunks);
  return { layer, tarDigest: p.tarDigest() };
}

describe.each(VECTOR_NAMES)("kubara's vector %s", (name) => {
  it('unpacks to its tree.txt, checked against its content digest', async (ctx) => {
    if (!have) return ctx.skip(VECTORS_MISSING);
    const v = await loadVector(name);
    const info = readArtifact(parseManifest(v.manifest, OCI_MANIFEST), name);
    expect(info.form).toBe('kubara');
    expect(info.tarDigest).toBe(v.tarDigest);
    expect(digestOf(v.layer)).toBe(info.layer.digest);
    const out = join(dir, 'out');
    await unpackLayer(once(v.layer), v.layer.length, info.name, out, { tarDigest: info.tarDigest! });
    expect(await treeLines(out)).toEqual(v.tree);
  });

  it("packages to kubara's manifest, annotation for annotation", async (ctx) => {
    if (!have) return ctx.skip(VECTORS_MISSING);
    const v = await loadVector(name);
    const src = join(dir, 'src');
    await unpackLayer(once(v.layer), v.layer.length, name, src);
    const catalog = await readCatalog(src);
    const { layer, tarDigest } = await packed(src, catalog.metadata.name);
    const ours = buildArtifact(
      { name: catalog.metadata.name, version: catalog.spec.version },
      layerDescriptor(catalog.metadata.name, digestOf(layer), layer.length, tarDigest),
      'kubara',
    );
    const theirs = JSON.parse(v.manifest.toString());
    const mine = JSON.parse(ours.manifest.toString());
    // the layer digest and size depend on gzip; the tar digest on the modes of a
    // tree with 0600 files (kubara writes modes as on disk, ocicat normalizes them)
    const normal = v.tree.every((l) => !/^file 600 /.test(l));
    for (const m of [theirs, mine]) {
      delete m.layers[0].digest;
      delete m.layers[0].size;
      if (!normal) delete m.layers[0].annotations['io.deis.oras.content.digest'];
    }
    expect(mine).toEqual(theirs);
    // and the bytes, once the gzip-dependent fields are put back as kubara had them
    const back = JSON.parse(ours.manifest.toString());
    const kubara = JSON.parse(v.manifest.toString());
    back.layers[0].digest = kubara.layers[0].digest;
    back.layers[0].size = kubara.layers[0].size;
    if (!normal) back.layers[0].annotations['io.deis.oras.content.digest'] = v.tarDigest;
    expect(Buffer.from(JSON.stringify(back)).equals(v.manifest)).toBe(true);
    if (normal) {
      expect(tarDigest).toBe(v.tarDigest);
      expect(`sha256:${createHash('sha256').update(gunzipSync(layer)).digest('hex')}`).toBe(tarDigest);
    } else expect(tarDigest).not.toBe(v.tarDigest);
  });
});

describe('kubara compatibility, the edges', () => {
  it("repacking gitnormal gives kubara's tar byte for byte, also after a checkout with 0600 files", async (ctx) => {
    if (!have) return ctx.skip(VECTORS_MISSING);
    const g = await loadVector('gitnormal');
    const gsrc = join(dir, 'gsrc');
    await unpackLayer(once(g.layer), g.layer.length, 'gitnormal', gsrc);
    // a checkout made with umask 077: ocicat normalizes the modes, so kubara's tar all the same
    await chmod(join(gsrc, 'Catalog.yaml'), 0o600);
    await chmod(join(gsrc, 'run.sh'), 0o700);
    expect((await packed(gsrc, 'gitnormal')).tarDigest).toBe(g.tarDigest);
  });

  it('a layer whose content digest lies is refused, and nothing is written', async (ctx) => {
    if (!have) return ctx.skip(VECTORS_MISSING);
    const v = await loadVector('demo');
    const lie = `sha256:${'0'.repeat(64)}`;
    const err = await unpackLayer(once(v.layer), v.layer.length, 'demo', join(dir, 'out'), {
      tarDigest: lie,
    }).catch((e) => e);
    expect(isOcicatError(err, 'DIGEST_MISMATCH')).toBe(true);
    expect(err.message).toMatch(/content digest mismatch/);
    const dry = await unpackLayer(once(v.layer), v.layer.length, 'demo', join(dir, 'out'), {
      tarDigest: lie,
      dryRun: true,
    }).catch((e) => e);
    expect(isOcicatError(dry, 'DIGEST_MISMATCH')).toBe(true);
    expect(await (await import('node:fs/promises')).readdir(dir)).toEqual([]);
  });

  it("kubara's demo scaffold validates", async (ctx) => {
    if (!have) return ctx.skip(VECTORS_MISSING);
    const v = await loadVector('demo');
    await unpackLayer(once(v.layer), v.layer.length, 'demo', join(dir, 'demo'));
    const r = await validateCatalog(join(dir, 'demo'));
    expect(r.services.map((s) => s.definition.metadata.name)).toEqual(['api', 'web']);
    // kubara's scaffold names charts it does not write
    expect(r.warnings).toEqual([
      'services/api.yaml: chartPath "api" names no chart (no platform-components/helm/api/Chart.yaml)',
      'services/web.yaml: chartPath "web" names no chart (no platform-components/helm/web/Chart.yaml)',
    ]);
  });
});
