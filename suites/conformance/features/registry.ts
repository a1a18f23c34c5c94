// Manifest, referrers, tags, delete and error-body features (distribution-spec 1.1).
import { randomBytes } from 'node:crypto';
import { buildArtifact, layerDescriptor } from '../../../harness/catalog/artifact.ts';
import { digestOf } from '../../../harness/oci/digest.ts';
import { encodeManifest, type ImageManifest } from '../../../harness/oci/manifest.ts';
import { EMPTY_JSON, OCI_INDEX, OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { artifactRefusal } from '../../../harness/ops/refusal.ts';
import { pullScope } from '../../../harness/remote/auth/scope.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import { header, readBody } from '../../../harness/remote/http.ts';
import { parseOciErrorBody } from '../../../harness/remote/oci-error-body.ts';
import { manifestPath, referrersPath } from '../../../harness/remote/paths.ts';
import { referrersTag } from '../../../harness/remote/referrers.ts';
import { isRegistryError } from '../../../harness/remote/registry-error.ts';
import type { RemoteRepository } from '../../../harness/remote/repository.ts';
import { excerpt, expectThat, type Feature, fail, pass, unsupported } from '../feature.ts';

/** A plain image config: what every registry accepts (the empty config is not, on GitLab, Quay, GAR). */
export const IMAGE_CONFIG = Buffer.from(
  JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
);
export const IMAGE_CONFIG_DESC = {
  mediaType: 'application/vnd.oci.image.config.v1+json',
  digest: digestOf(IMAGE_CONFIG),
  size: IMAGE_CONFIG.length,
};

async function image(r: RemoteRepository, extra: Partial<ImageManifest> = {}, tag?: string) {
  const layer = randomBytes(1024);
  const ld = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: digestOf(layer),
    size: layer.length,
  };
  await r.pushBlob(ld, bufferSource(layer));
  const empty = extra.config?.digest === EMPTY_JSON.digest;
  await r.pushBlob(
    empty ? EMPTY_JSON : IMAGE_CONFIG_DESC,
    bufferSource(empty ? Buffer.from('{}') : IMAGE_CONFIG),
  );
  const bytes = encodeManifest({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: IMAGE_CONFIG_DESC,
    layers: [ld],
    ...extra,
  });
  const res = await r.putManifest(tag ?? digestOf(bytes), bytes, OCI_MANIFEST);
  return {
    bytes,
    desc: { mediaType: OCI_MANIFEST, digest: digestOf(bytes), size: bytes.length },
    subjectHeader: res.subject,
  };
}

/** A referrer of `subject`; undefined when the registry refuses artifactType (then it can host no referrers). */
async function referrer(r: RemoteRepository, subject: { mediaType: string; digest: string; size: number }) {
  try {
    return await image(r, {
      artifactType: 'application/vnd.ocicat.test.signature',
      subject,
      annotations: { 'dev.ocicat.test': 'referrer' },
    });
  } catch (e) {
    if (artifactRefusal(e)) return undefined;
    throw e;
  }
}

export const registryFeatures: Feature[] = [
  {
    id: 'manifest.artifact-type',
    title: 'Image manifest with artifactType and the empty config is stored byte for byte',
    area: 'manifest',
    optional: true,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('artifact'));
      let m: Awaited<ReturnType<typeof image>>;
      try {
        m = await image(r, { artifactType: 'application/vnd.ocicat.test', config: EMPTY_JSON }, 'v1');
      } catch (e) {
        const why = artifactRefusal(e);
        if (why) return unsupported(`refused (${why})`);
        throw e;
      }
      const got = await r.getManifest('v1');
      expectThat(got.bytes.equals(m.bytes), 'manifest bytes changed on the way back');
      return pass();
    },
  },
  {
    id: 'manifest.fallback',
    title: 'The fallback catalog form (own config type, no artifactType) is accepted',
    area: 'manifest',
    optional: false,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('fallback'));
      const layer = randomBytes(512);
      const ld = layerDescriptor('probe', digestOf(layer), layer.length, digestOf(layer)); // never unpacked
      await r.pushBlob(ld, bufferSource(layer));
      const built = buildArtifact({ name: 'probe', version: '1.0.0' }, ld, 'fallback');
      await r.pushBlob(built.config.descriptor, bufferSource(built.config.bytes));
      try {
        await r.putManifest('1.0.0', built.manifest, OCI_MANIFEST);
      } catch (e) {
        if (artifactRefusal(e)) return fail(`the fallback form was refused too: ${(e as Error).message}`);
        throw e;
      }
      expectThat(
        (await r.getManifest('1.0.0')).bytes.equals(built.manifest),
        'manifest bytes changed on the way back',
      );
      return pass();
    },
  },
  {
    id: 'referrers.api',
    title: 'Referrers API lists a manifest pushed with a subject (and OCI-Subject is answered)',
    area: 'referrers',
    optional: true,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('refs'));
      const subject = await image(r, {}, 'v1');
      const ref = await referrer(r, subject.desc);
      if (!ref) return unsupported('a manifest with artifactType and subject is refused');
      const res = await ctx.client.send({
        registry: ctx.target.host,
        method: 'GET',
        path: referrersPath(r.repository, subject.desc.digest),
        headers: { accept: OCI_INDEX },
        scopes: [pullScope(r.repository)],
      });
      const body = await readBody(res, 4 * 1024 * 1024);
      if (res.status === 404) return unsupported('GET /v2/<name>/referrers/<digest> answered 404');
      expectThat(res.status === 200, `referrers answered ${res.status}`);
      const index = JSON.parse(body.toString()) as {
        mediaType?: string;
        manifests?: Array<{ digest: string; artifactType?: string }>;
      };
      expectThat(Array.isArray(index.manifests), 'the answer is not an image index');
      const hit = index.manifests!.find((d) => d.digest === ref.desc.digest);
      expectThat(hit !== undefined, 'the referrer is not listed');
      expectThat(
        hit!.artifactType === 'application/vnd.ocicat.test.signature',
        'the listed referrer lacks its artifactType',
      );
      // distribution-spec 1.1 "Pushing Manifests with Subject": a registry with the
      // referrers API MUST answer OCI-Subject, or clients maintain the tag schema too
      expectThat(
        !!ref.subjectHeader,
        'the referrers API exists, but the PUT with a subject answered no OCI-Subject',
      );
      // ?artifactType= either filters, and says so (OCI-Filters-Applied), or lists all for the client to filter
      const filtered = await ctx.client.send({
        registry: ctx.target.host,
        method: 'GET',
        path: `${referrersPath(r.repository, subject.desc.digest)}?artifactType=${encodeURIComponent('application/vnd.ocicat.other')}`,
        headers: { accept: OCI_INDEX },
        scopes: [pullScope(r.repository)],
      });
      const f = JSON.parse((await readBody(filtered, 4 * 1024 * 1024)).toString()) as {
        manifests?: unknown[];
      };
      const applied = /artifactType/.test(header(filtered, 'oci-filters-applied') ?? '');
      if (applied)
        expectThat(
          (f.manifests ?? []).length === 0,
          'OCI-Filters-Applied: artifactType, but the other type is listed',
        );
      else
        expectThat(
          (f.manifests ?? []).length === 1,
          'no filter applied, but the list differs from the unfiltered one',
        );
      return pass(`OCI-Subject answered; artifactType ${applied ? 'filtered' : 'not filtered (said so)'}`);
    },
  },
  {
    id: 'referrers.tag-schema',
    title: 'Referrers through the tag schema (<alg>-<hex> index tag) when there is no API',
    area: 'referrers',
    optional: false,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('refs-tag'));
      const subject = await image(r, {}, 'v1');
      const ref = await referrer(r, subject.desc);
      if (!ref) return unsupported('a manifest with artifactType and subject is refused');
      await r.addToReferrersTag(subject.desc.digest, {
        ...ref.desc,
        artifactType: 'application/vnd.ocicat.test.signature',
      });
      const idx = await r.getManifest(referrersTag(subject.desc.digest));
      expectThat(idx.parsed.kind === 'index', 'the referrers tag does not hold an index');
      const listed = await r.listReferrers(subject.desc.digest, 'application/vnd.ocicat.test.signature');
      expectThat(
        listed.referrers.some((d) => d.digest === ref.desc.digest),
        'the referrer is not found',
      );
      return pass(`listed via ${listed.via}`);
    },
  },
  {
    id: 'tags.pagination',
    title: 'Tag list honours n and points to the next page with Link',
    area: 'tags',
    optional: true,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('tags'));
      const tags = ['a1', 'a2', 'a3', 'a4', 'a5'];
      const m = await image(r, {}, tags[0]);
      for (const t of tags.slice(1)) await r.putManifest(t, m.bytes, OCI_MANIFEST);
      const res = await ctx.client.expect(
        {
          registry: ctx.target.host,
          method: 'GET',
          path: `/v2/${r.repository}/tags/list?n=2`,
          scopes: [pullScope(r.repository)],
        },
        [200],
      );
      const page = JSON.parse((await readBody(res, 1024 * 1024)).toString()) as { tags: string[] };
      const all = await r.listTags({ pageSize: 2 });
      expectThat(
        tags.every((t) => all.includes(t)),
        `the full list lacks tags: ${all.join(',')}`,
      );
      if (page.tags.length > 2) return unsupported(`n ignored: ${page.tags.length} tags on a page of 2`);
      if (!header(res, 'link'))
        return unsupported('a page of 2 without a Link header (the client asks with last=)');
      return pass('n and Link');
    },
  },
  {
    id: 'delete.manifest',
    title: 'DELETE a manifest by digest, then it is gone',
    area: 'delete',
    optional: true,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('del'));
      const m = await image(r, {}, 'v1');
      try {
        await r.deleteManifest(m.desc.digest);
      } catch (e) {
        if (isRegistryError(e) && (e.status === 405 || e.status === 400 || e.has('UNSUPPORTED')))
          return unsupported(`refused: ${e.status} ${e.errors[0]?.code ?? ''}`.trim());
        throw e;
      }
      expectThat(
        (await r.headManifest(m.desc.digest)) === undefined,
        'the manifest is still there after 202',
      );
      return pass();
    },
  },
  {
    id: 'delete.tag',
    title: 'DELETE a tag, the manifest stays reachable by digest',
    area: 'delete',
    optional: true,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('deltag'));
      const m = await image(r, {}, 'v1');
      try {
        await r.deleteTag('v1');
      } catch (e) {
        if (isRegistryError(e) && (e.status === 405 || e.status === 400 || e.has('UNSUPPORTED')))
          return unsupported(`refused: ${e.status} ${e.errors[0]?.code ?? ''}`.trim());
        throw e;
      }
      expectThat((await r.headManifest('v1')) === undefined, 'the tag is still there after 202');
      expectThat(
        (await r.headManifest(m.desc.digest)) !== undefined,
        'deleting the tag deleted the manifest too',
      );
      return pass();
    },
  },
  {
    id: 'errors.oci-body',
    title: 'Errors come with the OCI error body (MANIFEST_UNKNOWN for a missing manifest)',
    area: 'errors',
    optional: true,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('errors'));
      await image(r, {}, 'v1');
      const res = await ctx.client.send({
        registry: ctx.target.host,
        method: 'GET',
        path: manifestPath(r.repository, 'no-such-tag'),
        headers: { accept: OCI_MANIFEST },
        scopes: [pullScope(r.repository)],
      });
      const text = (await readBody(res, 1024 * 1024)).toString();
      expectThat(res.status === 404, `a missing manifest answered ${res.status}`);
      const errors = parseOciErrorBody(text);
      const isJson = (() => {
        try {
          JSON.parse(text);
          return true;
        } catch {
          return false;
        }
      })();
      if (!isJson) return unsupported('404 without a JSON body');
      expectThat(errors.length > 0, `JSON body without an errors list: ${excerpt(ctx, text, 120)}`);
      return errors.some((e) => e.code === 'MANIFEST_UNKNOWN')
        ? pass('MANIFEST_UNKNOWN')
        : fail(`codes ${errors.map((e) => e.code).join(', ')}, expected MANIFEST_UNKNOWN`);
    },
  },
];
