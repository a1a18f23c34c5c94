// The catalog workflow as features: the reference implementation's ops, in
// process, against the registry, each in a fresh $OCICAT_HOME.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshot, writeSampleCatalog } from '../../../fixtures/tree.ts';
import { OcicatError } from '../../../harness/errors.ts';
import { OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { createContext, type OpsContext } from '../../../harness/ops/context.ts';
import { unpackageCatalog } from '../../../harness/ops/local.ts';
import { packageCatalog } from '../../../harness/ops/package.ts';
import { pullCatalog } from '../../../harness/ops/pull.ts';
import { pushCatalog } from '../../../harness/ops/push.ts';
import { credentialsFile } from '../../../harness/remote/auth/default-store.ts';
import { expectThat, type Feature, type FeatureContext, fallback, pass, skip } from '../feature.ts';
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

const formOutcome = (form: string, reason: string | undefined, detail: string) =>
  form === 'fallback' ? fallback(`fallback form (${reason ?? 'refused'}); ${detail}`) : pass(detail);

export const catalogFeatures: Feature[] = [
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
