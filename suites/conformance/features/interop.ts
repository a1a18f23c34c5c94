// Interop with the clients people already use: a catalog pushed by ocicat is
// read and verified by oras, crane, regctl and skopeo; artifacts written by oras
// and crane are pulled by ocicat. A missing peer tool is a skip with the reason.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeSampleCatalog } from '../../../fixtures/tree.ts';
import {
  ANNOTATION_NAME,
  ANNOTATION_VERSION,
  ARTIFACT_TYPE,
  LAYER_MEDIA_TYPE,
} from '../../../harness/catalog/artifact.ts';
import { createContext } from '../../../harness/ops/context.ts';
import { packageCatalog } from '../../../harness/ops/package.ts';
import { pullCatalog } from '../../../harness/ops/pull.ts';
import { pushCatalog } from '../../../harness/ops/push.ts';
import { artifactRefusal } from '../../../harness/ops/refusal.ts';
import { credentialsFile } from '../../../harness/remote/auth/default-store.ts';
import { findTool } from '../../../registries/tools.ts';
import {
  expectThat,
  type Feature,
  type FeatureContext,
  fail,
  type Outcome,
  pass,
  skip,
  unsupported,
} from '../feature.ts';

const PEER_TIMEOUT_MS = 60_000;
const exec = promisify(execFile);
/** A peer tool, bounded in time; its output as bytes. */
const run = (file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) =>
  exec(file, args, { timeout: PEER_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer', ...options });
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Published {
  ref: string; // host/repo:tag
  repo: string;
  manifest: Buffer;
  layerDigest: string;
  layerSize: number;
}

async function publish(ctx: FeatureContext): Promise<Published> {
  const home = await mkdtemp(join(ctx.tmp, 'interop-home-'));
  if (ctx.target.credential) await credentialsFile(home).put(ctx.target.host, ctx.target.credential);
  const h = await createContext({
    home,
    plainHttp: ctx.target.plainHttp,
    ...(ctx.target.caFile ? { caFile: ctx.target.caFile } : {}),
  });
  const src = await mkdtemp(join(ctx.tmp, 'interop-src-'));
  await writeSampleCatalog(src, 'probe');
  const repo = ctx.fresh('interop');
  const pkg = await packageCatalog(h, src, `oci://${ctx.target.host}/${repo}/`);
  try {
    await pushCatalog(h, pkg.reference);
  } catch (e) {
    if (artifactRefusal(e))
      throw new NoCatalog('no catalog can be pushed to this registry (see catalog.push)');
    throw e;
  } finally {
    await h.client.close();
  }
  const m = await ctx.repo(`${repo}/probe`).getManifest('1.0.0');
  const layer = (m.parsed.manifest as { layers: Array<{ digest: string; size: number }> }).layers[0]!;
  return {
    ref: `${ctx.target.host}/${repo}/probe:1.0.0`,
    repo: `${repo}/probe`,
    manifest: m.bytes,
    layerDigest: layer.digest,
    layerSize: layer.size,
  };
}

/** Login arguments and environment for a peer tool, in a private config dir. */
async function peerEnv(ctx: FeatureContext): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(join(ctx.tmp, 'peer-'));
  const c = ctx.target.credential;
  const auths: Record<string, unknown> = {};
  if (c?.username && c.password)
    auths[ctx.target.host] = { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') };
  else if (c?.identityToken) auths[ctx.target.host] = { identitytoken: c.identityToken };
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths }));
  return { ...process.env, HOME: dir, DOCKER_CONFIG: dir, REGISTRY_AUTH_FILE: join(dir, 'config.json') };
}

async function tool(name: string): Promise<string | undefined> {
  return findTool(name);
}

/** What a peer tool's failure says about the registry. */
export function peerFailure(bin: string, e: unknown): Outcome {
  const err = e as { stderr?: string | Buffer; killed?: boolean; signal?: string; message?: string };
  const stderr = String(err.stderr ?? '');
  const last = stderr.trim().split('\n').filter(Boolean).at(-1) ?? err.message ?? String(e);
  if (err.killed || err.signal === 'SIGTERM')
    return { status: 'error', detail: `${bin} did not finish in ${PEER_TIMEOUT_MS / 1000} s` };
  // go-containerregistry refuses token realms on private or loopback addresses (an SSRF guard):
  // the local token server cannot be used by crane, which says nothing about the registry.
  if (/private or link-local address/.test(stderr))
    return skip(
      `${bin} refuses a token realm on a loopback address (its SSRF guard); not measurable with the local token server`,
    );
  if (/unsupported|MANIFEST_INVALID|unknown media type|\b415\b|not allowed/i.test(stderr))
    return unsupported(`${bin}: ${last}`);
  return fail(`${bin}: ${last}`);
}

class NoCatalog extends Error {}

function peer(
  id: string,
  bin: string,
  title: string,
  body: (ctx: FeatureContext, exe: string, env: NodeJS.ProcessEnv) => Promise<string>,
): Feature {
  return {
    id,
    title,
    area: 'interop',
    optional: false,
    async run(ctx) {
      const exe = await tool(bin);
      if (!exe) return skip(`${bin} is not installed (npm run setup builds it)`);
      try {
        return pass(await body(ctx, exe, await peerEnv(ctx)));
      } catch (e) {
        if (e instanceof NoCatalog) return skip(e.message);
        if ((e as { cmd?: string }).cmd !== undefined) return peerFailure(bin, e);
        throw e;
      }
    },
  };
}

export const interopFeatures: Feature[] = [
  peer(
    'interop.oras.pull',
    'oras',
    'oras pulls a catalog pushed by ocicat; the layer file matches',
    async (ctx, oras, env) => {
      const p = await publish(ctx);
      const out = await mkdtemp(join(ctx.tmp, 'oras-out-'));
      const tls = ctx.target.plainHttp
        ? ['--plain-http']
        : ctx.target.caFile
          ? ['--ca-file', ctx.target.caFile]
          : [];
      await run(oras, ['pull', ...tls, '-o', out, p.ref], { env });
      const file = await readFile(join(out, 'probe'));
      expectThat(sha(file) === p.layerDigest, 'the file oras wrote does not match the layer digest');
      return 'layer file verified';
    },
  ),
  peer(
    'interop.crane.pull',
    'crane',
    'crane reads the manifest and layer of a catalog pushed by ocicat',
    async (ctx, crane, env) => {
      const p = await publish(ctx);
      const tls = ctx.target.plainHttp || ctx.target.caFile ? ['--insecure'] : [];
      const m = (await run(crane, ['manifest', ...tls, p.ref], { env })).stdout;
      expectThat(m.equals(p.manifest), 'crane sees other manifest bytes');
      const blob = (
        await run(crane, ['blob', ...tls, `${p.ref.split(':1.0.0')[0]}@${p.layerDigest}`], { env })
      ).stdout;
      expectThat(sha(blob) === p.layerDigest, 'crane blob does not match the layer digest');
      return 'manifest and layer verified';
    },
  ),
  peer(
    'interop.regctl.pull',
    'regctl',
    'regctl reads the manifest of a catalog pushed by ocicat',
    async (ctx, regctl, env) => {
      const p = await publish(ctx);
      if (ctx.target.plainHttp)
        await run(regctl, ['registry', 'set', ctx.target.host, '--tls', 'disabled'], { env });
      else await run(regctl, ['registry', 'set', ctx.target.host, '--tls', 'insecure'], { env });
      const c = ctx.target.credential;
      if (c?.username && c.password)
        await run(regctl, ['registry', 'login', ctx.target.host, '-u', c.username, '-p', c.password], {
          env,
        });
      const m = (await run(regctl, ['manifest', 'get', p.ref, '--format', 'raw-body'], { env })).stdout;
      expectThat(m.equals(p.manifest), 'regctl sees other manifest bytes');
      return 'manifest verified';
    },
  ),
  peer(
    'interop.skopeo.pull',
    'skopeo',
    'skopeo copies a catalog pushed by ocicat to an OCI layout',
    async (ctx, skopeo, env) => {
      const p = await publish(ctx);
      const c = ctx.target.credential;
      const creds = c?.username && c.password ? ['--src-creds', `${c.username}:${c.password}`] : [];
      const tls = ctx.target.plainHttp || ctx.target.caFile ? ['--src-tls-verify=false'] : [];
      const out = await mkdtemp(join(ctx.tmp, 'skopeo-out-'));
      await run(skopeo, ['copy', ...creds, ...tls, `docker://${p.ref}`, `oci:${out}:copy`], { env });
      const blob = await readFile(join(out, 'blobs', 'sha256', p.layerDigest.slice(7)));
      expectThat(sha(blob) === p.layerDigest, 'the layer skopeo copied does not match');
      return 'layer copied and verified';
    },
  ),
  peer(
    'interop.oras.push',
    'oras',
    'ocicat pulls a catalog pushed by oras (artifactType, annotations, one layer)',
    async (ctx, oras, env) => {
      const dir = await mkdtemp(join(ctx.tmp, 'oras-push-'));
      const src = join(dir, 'probe-src');
      await writeSampleCatalog(src, 'probe');
      // the layer oras pushes is the one ocicat packs, so ocicat's vetting of the tree passes
      const home = await mkdtemp(join(ctx.tmp, 'oras-home-'));
      const h = await createContext({ home, plainHttp: ctx.target.plainHttp });
      const scratch = `${ctx.target.namespace}/scratch`;
      const pkg = await packageCatalog(h, src, `oci://${ctx.target.host}/${scratch}/`);
      await h.client.close();
      const layout = await h.cache.layout(ctx.target.host, `${scratch}/probe`);
      const m = JSON.parse((await readFile(layout.blobPath(pkg.digest))).toString()) as {
        layers: Array<{ digest: string }>;
      };
      await writeFile(join(dir, 'probe'), await readFile(layout.blobPath(m.layers[0]!.digest)));
      const repo = ctx.fresh('oras-pushed');
      const tls = ctx.target.plainHttp
        ? ['--plain-http']
        : ctx.target.caFile
          ? ['--ca-file', ctx.target.caFile]
          : [];
      await run(
        oras,
        [
          'push',
          ...tls,
          '--artifact-type',
          ARTIFACT_TYPE,
          '--annotation',
          `${ANNOTATION_NAME}=probe`,
          '--annotation',
          `${ANNOTATION_VERSION}=1.0.0`,
          `${ctx.target.host}/${repo}:1.0.0`,
          `probe:${LAYER_MEDIA_TYPE}`,
        ],
        { env, cwd: dir },
      );
      const fresh = await mkdtemp(join(ctx.tmp, 'oras-pull-home-'));
      if (ctx.target.credential) await credentialsFile(fresh).put(ctx.target.host, ctx.target.credential);
      const f = await createContext({
        home: fresh,
        plainHttp: ctx.target.plainHttp,
        ...(ctx.target.caFile ? { caFile: ctx.target.caFile } : {}),
      });
      const pulled = await pullCatalog(f, `oci://${ctx.target.host}/${repo}:1.0.0`);
      await f.client.close();
      expectThat(
        pulled.name === 'probe' && pulled.version === '1.0.0',
        'ocicat read another name or version',
      );
      return `pulled the ${pulled.form} form`;
    },
  ),
  peer(
    'interop.crane.push',
    'crane',
    'ocicat pulls a catalog copied by crane to another repository',
    async (ctx, crane, env) => {
      const p = await publish(ctx);
      const dst = `${ctx.target.host}/${ctx.fresh('crane-copied')}/probe:1.0.0`;
      const tls = ctx.target.plainHttp || ctx.target.caFile ? ['--insecure'] : [];
      await run(crane, ['copy', ...tls, p.ref, dst], { env });
      const fresh = await mkdtemp(join(ctx.tmp, 'crane-pull-home-'));
      if (ctx.target.credential) await credentialsFile(fresh).put(ctx.target.host, ctx.target.credential);
      const f = await createContext({
        home: fresh,
        plainHttp: ctx.target.plainHttp,
        ...(ctx.target.caFile ? { caFile: ctx.target.caFile } : {}),
      });
      const pulled = await pullCatalog(f, `oci://${dst}`);
      await f.client.close();
      expectThat(pulled.digest === sha(p.manifest), 'crane changed the manifest');
      return 'same digest after crane copy';
    },
  ),
];
