// Interop with the clients people already use: a catalog pushed by ocicat is
// read and verified by oras, crane, regctl and skopeo; artifacts written by oras
// and crane are pulled by ocicat. A missing peer tool is a skip with the reason.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { snapshot, type TreeNode, writeSampleCatalog } from '../../../fixtures/tree.ts';
import {
  ANNOTATION_NAME,
  ANNOTATION_VERSION,
  ARTIFACT_TYPE,
  LAYER_MEDIA_TYPE,
} from '../../../harness/catalog/artifact.ts';
import { normalizeMode } from '../../../harness/catalog/pack.ts';
import { createContext } from '../../../harness/ops/context.ts';
import { unpackageCatalog } from '../../../harness/ops/local.ts';
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
export const run = (file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) =>
  exec(file, args, { timeout: PEER_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer', ...options });
/**
 * A peer tool given a secret on standard input: never on its command line, where
 * any local user reads it with `ps` (issue 18).
 */
function runWithStdin(
  file: string,
  args: string[],
  input: string,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ stdout: Buffer; stderr: Buffer }> {
  const child = execFile(file, args, {
    timeout: PEER_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'buffer',
    ...options,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const r = { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
      if (code === 0) resolve(r);
      else
        reject(
          Object.assign(new Error(`${file} exited ${code ?? signal}`), {
            ...r,
            cmd: file,
            killed: child.killed,
            signal,
          }),
        );
    });
  });
}
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Published {
  /** The catalog folder that was packaged. */
  src: string;
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
    src,
    ref: `${ctx.target.host}/${repo}/probe:1.0.0`,
    repo: `${repo}/probe`,
    manifest: m.bytes,
    layerDigest: layer.digest,
    layerSize: layer.size,
  };
}

/** The tree a client should extract from a catalog of `src`: its nodes, modes as ocicat packs them. */
async function expectedTree(src: string): Promise<TreeNode[]> {
  return (await snapshot(src)).map((n) =>
    n.type === 'symlink' ? n : { ...n, mode: normalizeMode(n.mode, n.type === 'dir' ? 'dir' : 'file') },
  );
}

/** Login arguments and environment for a peer tool, in a private config dir. */
export async function peerEnv(ctx: FeatureContext): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(join(ctx.tmp, 'peer-'));
  const c = ctx.target.credential;
  const auths: Record<string, unknown> = {};
  if (c?.username && c.password)
    auths[ctx.target.host] = { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') };
  else if (c?.identityToken) auths[ctx.target.host] = { identitytoken: c.identityToken };
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths }));
  return {
    ...process.env,
    HOME: dir,
    DOCKER_CONFIG: dir,
    REGISTRY_AUTH_FILE: join(dir, 'config.json'),
    // helm: the same credentials file, and its own homes in the private dir
    HELM_REGISTRY_CONFIG: join(dir, 'config.json'),
    HELM_CACHE_HOME: join(dir, 'helm-cache'),
    HELM_CONFIG_HOME: join(dir, 'helm-config'),
    HELM_DATA_HOME: join(dir, 'helm-data'),
  };
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
    'oras pulls a catalog pushed by ocicat and extracts the catalog folder, identical to the source',
    async (ctx, oras, env) => {
      const p = await publish(ctx);
      const out = await mkdtemp(join(ctx.tmp, 'oras-out-'));
      const tls = ctx.target.plainHttp
        ? ['--plain-http']
        : ctx.target.caFile
          ? ['--ca-file', ctx.target.caFile]
          : [];
      await run(oras, ['pull', ...tls, '-o', out, p.ref], { env });
      // oras's file store (kubara pulls through it) unpacks the layer only when it
      // carries io.deis.oras.content.unpack, checking io.deis.oras.content.digest;
      // otherwise it writes the .tar.gz as a file named "probe" and kubara fails.
      const st = await lstat(join(out, 'probe'));
      expectThat(
        st.isDirectory(),
        'oras wrote the layer as a file, not the catalog folder: kubara cannot load it (io.deis.oras.content.unpack missing?)',
      );
      const got = await snapshot(join(out, 'probe'));
      const want = await expectedTree(p.src);
      expectThat(
        JSON.stringify(got) === JSON.stringify(want),
        `the folder oras extracted differs from the source (${got.length} nodes, ${want.length} expected)`,
      );
      return `catalog folder extracted, ${got.length} nodes identical`;
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
        await runWithStdin(
          regctl,
          ['registry', 'login', ctx.target.host, '-u', c.username, '--pass-stdin'],
          c.password,
          { env },
        );
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
      // credentials from the private auth file (peerEnv), never on the command line
      const creds = ['--src-authfile', env.REGISTRY_AUTH_FILE!];
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
    'oras pushes a catalog folder (as kubara does, through its file store); ocicat pulls and unpackages it identical',
    async (ctx, oras, env) => {
      const dir = await mkdtemp(join(ctx.tmp, 'oras-push-'));
      await writeSampleCatalog(join(dir, 'probe'), 'probe');
      const repo = ctx.fresh('oras-pushed');
      ctx.track(repo);
      const tls = ctx.target.plainHttp
        ? ['--plain-http']
        : ctx.target.caFile
          ? ['--ca-file', ctx.target.caFile]
          : [];
      // a folder: oras tars and gzips it and annotates the layer with
      // io.deis.oras.content.digest and io.deis.oras.content.unpack, as kubara's push does
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
      const ref = `oci://${ctx.target.host}/${repo}:1.0.0`;
      try {
        const pulled = await pullCatalog(f, ref);
        expectThat(
          pulled.name === 'probe' && pulled.version === '1.0.0',
          'ocicat read another name or version',
        );
        const out = join(dir, 'unpacked');
        await unpackageCatalog(f, ref, out);
        const got = await snapshot(out);
        const want = (await snapshot(join(dir, 'probe'))).map((n) => ({ ...n }));
        expectThat(
          JSON.stringify(got.map((n) => [n.path, n.type, n.digest, n.target])) ===
            JSON.stringify(want.map((n) => [n.path, n.type, n.digest, n.target])),
          'the unpackaged folder differs from the one oras pushed',
        );
        return `pulled the ${pulled.form} form; ${got.length} nodes identical`;
      } finally {
        await f.client.close();
      }
    },
  ),
  peer(
    'interop.crane.push',
    'crane',
    'ocicat pulls a catalog copied by crane to another repository',
    async (ctx, crane, env) => {
      const p = await publish(ctx);
      const copied = `${ctx.fresh('crane-copied')}/probe`;
      ctx.track(copied);
      const dst = `${ctx.target.host}/${copied}:1.0.0`;
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
