// Zarf packages as Zarf v0.84.0 publishes and reads them (issue 27; the vectors'
// README in ../shared/zarf-vectors): each blob HEAD, then POST and one monolithic
// PUT; each image manifest PUT by digest as it is (no re-serialisation), read
// back; the index PUT by tag. Then read as Zarf reads: the index by tag, the
// `os: multi` entry for amd64, that manifest, every layer (the config is never
// read, but must be stored). Zarf has no fallback: a registry that refuses its
// config media type fails here, with its answer in the evidence.
import { createHash } from 'node:crypto';
import {
  loadZarfVector,
  ZARF_INDEX,
  ZARF_MANIFEST,
  ZARF_VECTORS,
  ZARF_VECTORS_MISSING,
  type ZarfPackage,
  zarfLarge,
  zarfVectorsDir,
} from '../../../fixtures/zarf-vectors.ts';
import { pullScope } from '../../../harness/remote/auth/scope.ts';
import { drain } from '../../../harness/remote/http.ts';
import { blobPath } from '../../../harness/remote/paths.ts';
import { isRegistryError } from '../../../harness/remote/registry-error.ts';
import { expectThat, type Feature, type FeatureContext, fail, pass, skip } from '../feature.ts';
import { raw } from './raw.ts';

/** The nightly (and a test) sets it: the 300 MiB monolithic PUT of vector-large's shape. */
export const ZARF_LARGE_ENV = 'OCICAT_ZARF_LARGE';

/** A refusal of the push, as a fail with the registry's answer (Zarf stops there). */
function refused(e: unknown, what: string): ReturnType<typeof fail> | undefined {
  if (!isRegistryError(e) || e.status >= 500) return undefined;
  return fail(
    `${what} refused: ${e.status} ${e.errors.map((x) => `${x.code}: ${x.message}`).join('; ') || ''}`.trim(),
  );
}

/** Publish as Zarf does; a refusal (4xx) is returned as the cell's fail. */
async function publish(ctx: FeatureContext, repo: string, p: ZarfPackage) {
  const r = ctx.repo(repo);
  for (const b of p.blobs) {
    const head = await raw(ctx, 'HEAD', blobPath(repo, b.digest), [pullScope(repo)]);
    await drain(head);
    if (head.status === 200) continue;
    try {
      await r.pushBlob({ digest: b.digest, size: b.size }, b.source, { strategy: 'monolithic' });
    } catch (e) {
      const f = refused(e, `the monolithic PUT of ${b.digest} (${b.size} bytes)`);
      if (f) return f;
      throw e;
    }
  }
  for (const m of p.manifests) {
    try {
      // PUT by digest, read back, PUT again (its README)
      await r.putManifest(m.digest, m.bytes, ZARF_MANIFEST);
      await r.getManifest(m.digest);
      await r.putManifest(m.digest, m.bytes, ZARF_MANIFEST);
    } catch (e) {
      const f = refused(
        e,
        `the image manifest (config application/vnd.zarf.config.v1+json, no artifactType)`,
      );
      if (f) return f;
      throw e;
    }
  }
  try {
    await r.putManifest(p.tag, p.index, ZARF_INDEX);
  } catch (e) {
    const f = refused(e, 'the index by tag');
    if (f) return f;
    throw e;
  }
  return undefined;
}

/** Read as Zarf reads: index by tag, the os multi/amd64 entry, its manifest, every layer. */
async function readBack(ctx: FeatureContext, repo: string, p: ZarfPackage): Promise<string> {
  const r = ctx.repo(repo);
  const idx = await r.getManifest(p.tag);
  expectThat(idx.bytes.equals(p.index), `the index under ${p.tag} is not the bytes pushed`);
  expectThat(idx.descriptor.digest === p.indexDigest, `the index digest is ${idx.descriptor.digest}`);
  const entries = (
    JSON.parse(idx.bytes.toString()) as {
      manifests: Array<{ digest: string; platform?: { os?: string; architecture?: string } }>;
    }
  ).manifests;
  const pick = entries.find((e) => e.platform?.os === 'multi' && e.platform.architecture === 'amd64');
  expectThat(!!pick, 'no index entry with platform os multi, architecture amd64');
  const want = p.manifests.find((m) => m.digest === pick!.digest)!;
  for (const m of p.manifests) {
    const got = await r.getManifest(m.digest);
    expectThat(got.bytes.equals(m.bytes), `manifest ${m.digest} is not the bytes pushed`);
  }
  const layers = JSON.parse(want.bytes.toString()) as {
    config: { digest: string; size: number };
    layers: Array<{ digest: string; size: number }>;
  };
  let bytes = 0;
  for (const l of layers.layers) {
    const h = createHash('sha256');
    let n = 0;
    await r.readBlobInto(l, (c) => {
      h.update(c);
      n += c.length;
    });
    expectThat(`sha256:${h.digest('hex')}` === l.digest && n === l.size, `layer ${l.digest} read back wrong`);
    bytes += n;
  }
  const cfg = await raw(ctx, 'HEAD', blobPath(repo, layers.config.digest), [pullScope(repo)]);
  await drain(cfg);
  expectThat(
    cfg.status === 200,
    `the config blob answered ${cfg.status} to HEAD (stored? Zarf never reads it)`,
  );
  return `${layers.layers.length} layers, ${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export const zarfFeatures: Feature[] = [
  {
    id: 'artifact.zarf-package',
    title:
      'Zarf packages as Zarf v0.84.0 publishes them (an index with os "multi", its own config type, no artifactType; 3 and 32 layers; two architectures), read back as Zarf reads them',
    area: 'artifact',
    optional: false,
    async run(ctx) {
      if (!zarfVectorsDir()) return skip(ZARF_VECTORS_MISSING);
      const said: string[] = [];
      for (const name of ZARF_VECTORS) {
        const p = await loadZarfVector(name);
        const repo = ctx.fresh(`zarf-${name.replace('vector-', '')}`);
        const refusal = await publish(ctx, repo, p);
        if (refusal) return { ...refusal, detail: `${name}: ${refusal.detail} (Zarf has no fallback)` };
        said.push(`${name} ${await readBack(ctx, repo, p)}`);
      }
      return pass(said.join('; '));
    },
  },
  {
    id: 'artifact.zarf-package.large',
    title:
      "A Zarf package of vector-large's shape: one 300 MiB layer in one monolithic PUT, as Zarf sends it",
    area: 'artifact',
    optional: false,
    async run(ctx) {
      if (!zarfVectorsDir()) return skip(ZARF_VECTORS_MISSING);
      if (!process.env[ZARF_LARGE_ENV])
        return skip(`${ZARF_LARGE_ENV}=1 pushes the 300 MiB layer (the nightly does; a test does on olareg)`);
      const p = await zarfLarge();
      const repo = ctx.fresh('zarf-large');
      const refusal = await publish(ctx, repo, p);
      if (refusal) return { ...refusal, detail: `vector-large: ${refusal.detail} (Zarf has no fallback)` };
      return pass(`vector-large ${await readBack(ctx, repo, p)} in one monolithic PUT`);
    },
  },
];
