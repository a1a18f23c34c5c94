// The catalog workflow as features: the reference implementation's ops, in
// process, against the registry, each in a fresh $OCICAT_HOME.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  loadVector,
  treeLines,
  VECTOR_NAMES,
  VECTORS_MISSING,
  vectorsDir,
} from '../../../fixtures/kubara-vectors.ts';
import { snapshot, writeSampleCatalog } from '../../../fixtures/tree.ts';
import { OcicatError } from '../../../harness/errors.ts';
import { digestOf } from '../../../harness/oci/digest.ts';
import { OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { createContext, type OpsContext } from '../../../harness/ops/context.ts';
import { unpackageCatalog } from '../../../harness/ops/local.ts';
import { packageCatalog } from '../../../harness/ops/package.ts';
import { pullCatalog } from '../../../harness/ops/pull.ts';
import { pushCatalog } from '../../../harness/ops/push.ts';
import { artifactRefusal } from '../../../harness/ops/refusal.ts';
import { credentialsFile } from '../../../harness/remote/auth/default-store.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import { isRegistryError } from '../../../harness/remote/registry-error.ts';
import {
  expectThat,
  type Feature,
  type FeatureContext,
  fallback,
  pass,
  skip,
  unsupported,
} from '../feature.ts';
import type { Target } from '../target.ts';

async function home(
  ctx: FeatureContext,
  label: string,
  targets: Target[] = [ctx.target],
): Promise<OpsContext> {
  const dir = await mkdtemp(join(ctx.tmp, `home-${label}-`));
  for (const t of targets) if (t.credential) await credentialsFile(dir).put(t.host, t.credential);
  const anyTls = targets.find((t) => !t.plainHttp);
  return createContext({
    home: dir,
    // the catalog operations' requests are evidence too
    log: ctx.log,
    evidence: true,
    plainHttp: (registry: string) => targets.find((t) => t.host === registry)?.plainHttp ?? false,
    ...(anyTls?.caFile ? { caFile: anyTls.caFile } : {}),
    ...(targets.some((t) => t.insecure) ? { insecure: true } : {}),
  });
}

async function source(ctx: FeatureContext, name: string, note = ''): Promise<string> {
  const dir = await mkdtemp(join(ctx.tmp, `src-${name}-`));
  await writeSampleCatalog(dir, name);
  if (note)
    await (await import('node:fs/promises')).appendFile(join(dir, 'services/pet-store.yaml'), `# ${note}\n`);
  return dir;
}

/** Package and push a sample catalog; the reference and what push said. */
async function published(ctx: FeatureContext, h: OpsContext, name = 'probe', note = '') {
  const base = `oci://${ctx.target.host}/${ctx.fresh('cat')}/`;
  const pkg = await packageCatalog(h, await source(ctx, name, note), base);
  const pushed = await pushCatalog(h, pkg.reference);
  return { pkg, pushed };
}

/**
 * kubara's own artifacts (kubara vectors), pushed as they are: the blobs and the
 * manifest bytes kubara's push produced, never re-serialized. Then ocicat must pull
 * them at kubara's digest and unpackage kubara's tree.
 */
async function kubaraArtifacts(ctx: FeatureContext) {
  const dir = vectorsDir();
  if (!dir) return skip(VECTORS_MISSING);
  const h = await home(ctx, 'kubara');
  try {
    for (const name of VECTOR_NAMES) {
      const v = await loadVector(name, dir);
      const m = JSON.parse(v.manifest.toString()) as {
        config: { digest: string; size: number };
        layers: Array<{ digest: string; size: number }>;
      };
      const repo = `${ctx.fresh('kubara')}/${name}`;
      const r = ctx.repo(repo);
      // a registry that refuses kubara's artifact as such (its artifactType, or the
      // empty config, as GAR has: REGISTRY-FACTS) cannot hold kubara's catalogs at all
      try {
        await r.pushBlob(m.config, bufferSource(Buffer.from('{}')));
        await r.pushBlob(m.layers[0]!, bufferSource(v.layer));
        await r.putManifest('0.1.0', v.manifest, OCI_MANIFEST);
      } catch (e) {
        if (
          artifactRefusal(e) ||
          (isRegistryError(e) && e.status >= 400 && e.status < 500 && e.status !== 401)
        )
          return unsupported(`the registry refuses kubara's artifact (${(e as Error).message})`);
        throw e;
      }
      const ref = `oci://${ctx.target.host}/${repo}:0.1.0`;
      const pulled = await pullCatalog(h, ref);
      expectThat(
        pulled.digest === digestOf(v.manifest),
        `${name}: pulled ${pulled.digest}, kubara pushed ${digestOf(v.manifest)}`,
      );
      const out = join(ctx.tmp, `kubara-${name}`);
      await unpackageCatalog(h, ref, out);
      const got = await treeLines(out);
      const missing = v.tree.filter((l) => !got.includes(l));
      expectThat(
        missing.length === 0 && got.length === v.tree.length,
        `${name}: the tree differs from kubara's (first: ${missing[0] ?? got.find((l) => !v.tree.includes(l))})`,
      );
    }
    return pass(
      `${VECTOR_NAMES.length} kubara catalogs pulled at kubara's digests and unpackaged to kubara's trees`,
    );
  } finally {
    await h.client.close();
  }
}

const formOutcome = (form: string, reason: string | undefined, detail: string) =>
  form === 'fallback' ? fallback(`fallback form (${reason ?? 'refused'}); ${detail}`) : pass(detail);

export const catalogFeatures: Feature[] = [
  {
    id: 'catalog.kubara-artifacts',
    title:
      "kubara's own catalogs (the vectors), pushed as kubara pushed them, pull and unpackage to kubara's trees",
    area: 'catalog',
    optional: false,
    run: kubaraArtifacts,
  },
  {
    id: 'catalog.package',
    title: 'Package is deterministic: the same tree, the same digest, in two homes',
    area: 'catalog',
    optional: false,
    async run(ctx) {
      const src = await source(ctx, 'det');
      const base = `oci://${ctx.target.host}/${ctx.target.namespace}/`;
      const [a, b] = [
        await packageCatalog(await home(ctx, 'p1'), src, base),
        await packageCatalog(await home(ctx, 'p2'), src, base),
      ];
      expectThat(a.digest === b.digest, `${a.digest} != ${b.digest}`);
      return pass(a.digest);
    },
  },
  {
    id: 'catalog.push',
    title: 'Push a packaged catalog (kubara form, or the fallback form where refused)',
    area: 'catalog',
    optional: false,
    async run(ctx) {
      const h = await home(ctx, 'push');
      const { pushed } = await published(ctx, h);
      await h.client.close();
      return formOutcome(pushed.form, pushed.fallbackReason, pushed.digest);
    },
  },
  {
    id: 'catalog.pull',
    title: 'Pull into a fresh cache and unpack: the tree is the original',
    area: 'catalog',
    optional: false,
    async run(ctx) {
      const h = await home(ctx, 'pub');
      const { pkg, pushed } = await published(ctx, h);
      const fresh = await home(ctx, 'sub');
      const pulled = await pullCatalog(fresh, pkg.reference);
      expectThat(pulled.digest === pushed.digest, `pulled ${pulled.digest}, pushed ${pushed.digest}`);
      const out = join(ctx.tmp, `out-${Math.random().toString(36).slice(2)}`);
      await unpackageCatalog(fresh, pkg.reference, out);
      const original = await source(ctx, 'probe');
      expectThat(
        JSON.stringify(await snapshot(out)) === JSON.stringify(await snapshot(original)),
        'the unpacked tree differs',
      );
      await h.client.close();
      await fresh.client.close();
      return formOutcome(pulled.form, pushed.fallbackReason, 'tree identical');
    },
  },
  {
    id: 'catalog.promote.same-registry',
    title: 'Promote to another repository of the same registry (push --from), same digest',
    area: 'catalog',
    optional: false,
    async run(ctx) {
      const h = await home(ctx, 'promote');
      const { pkg, pushed } = await published(ctx, h);
      const dst = `oci://${ctx.target.host}/${ctx.fresh('prod')}/probe:1.0.0`;
      const promoted = await pushCatalog(h, dst, pkg.reference);
      expectThat(promoted.digest === pushed.digest, `promoted ${promoted.digest}, source ${pushed.digest}`);
      const mounted = h.client.capabilities(ctx.target.host).mount;
      await h.client.close();
      return formOutcome(
        promoted.form,
        promoted.fallbackReason,
        mounted ? 'blobs mounted' : 'blobs uploaded (no mount)',
      );
    },
  },
  {
    id: 'catalog.promote.cross-registry',
    title: 'Promote to another registry from the cache, same digest',
    area: 'catalog',
    optional: false,
    async run(ctx) {
      const peer = ctx.peer;
      if (!peer || peer.host === ctx.target.host) return skip('the run has no second registry to promote to');
      const h = await home(ctx, 'cross', [ctx.target, peer]);
      const { pkg, pushed } = await published(ctx, h);
      const dst = `oci://${peer.host}/${peer.namespace}/cross-${Math.random().toString(36).slice(2, 8)}/probe:1.0.0`;
      const promoted = await pushCatalog(h, dst, pkg.reference);
      await h.client.close();
      // the peer may take the kubara form where the target needed the fallback: compare what each holds
      expectThat(
        promoted.form !== pushed.form || promoted.digest === pushed.digest,
        `promoted ${promoted.digest}, source ${pushed.digest}`,
      );
      return pass(`to ${peer.id}`);
    },
  },
  {
    id: 'catalog.version-rules',
    title: 'A tag holding another version is refused on pull; strict x.y.z tags are stored',
    area: 'catalog',
    optional: false,
    async run(ctx) {
      const h = await home(ctx, 'ver');
      const { pkg, pushed } = await published(ctx, h);
      const repo = pkg.reference.slice('oci://'.length).split('/').slice(1).join('/').split(':')[0]!;
      const r = ctx.repo(repo);
      const m = await r.getManifest(pushed.digest);
      await r.putManifest('9.9.9', m.bytes, OCI_MANIFEST);
      const err = await pullCatalog(await home(ctx, 'ver2'), `oci://${ctx.target.host}/${repo}:9.9.9`).catch(
        (e) => e,
      );
      expectThat(
        err instanceof OcicatError && err.code === 'TAG_MISMATCH',
        `pull of a mismatched tag gave ${err instanceof Error ? err.message : 'success'}`,
      );
      const tags = await r.listTags();
      expectThat(tags.includes('1.0.0'), 'the version tag is not listed');
      await h.client.close();
      return pass();
    },
  },
  {
    id: 'catalog.update-detect',
    title: 'Re-pushed content under the same version: the next pull says it was updated',
    area: 'catalog',
    optional: false,
    async run(ctx) {
      const pub = await home(ctx, 'upd');
      const { pkg, pushed } = await published(ctx, pub);
      const sub = await home(ctx, 'upd-sub');
      expectThat(!(await pullCatalog(sub, pkg.reference)).updated, 'first pull said updated');
      const changed = await packageCatalog(
        pub,
        await source(ctx, 'probe', 'changed'),
        pkg.reference.replace(/probe:1\.0\.0$/, ''),
      );
      expectThat(changed.digest !== pkg.digest, 'changed content packaged to the same digest');
      await pushCatalog(pub, pkg.reference);
      const again = await pullCatalog(sub, pkg.reference);
      expectThat(
        again.updated && again.previousDigest === pushed.digest,
        `second pull: updated=${again.updated}`,
      );
      await pub.client.close();
      await sub.client.close();
      return pass();
    },
  },
];
