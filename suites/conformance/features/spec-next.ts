// What the distribution-spec requires or recommends after 1.1.1 (main, unreleased;
// REGISTRY-FACTS "The distribution-spec after 1.1.1"), for a vendor preparing for
// the next release (issue 25): run with `conformance run --spec next`. And, in both
// modes, what the official suite leaves out: `n=0` on the tag list. Each check talks
// raw HTTP; suites/conformance/spec-next.test.ts shows each failing behind a proxy
// rule that breaks a healthy registry (olareg) in exactly that way.
import { createHash, randomBytes } from 'node:crypto';
import { OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { pullScope, pushScope } from '../../../harness/remote/auth/scope.ts';
import { drain, header, readBody } from '../../../harness/remote/http.ts';
import { blobPath, manifestPath, uploadsPath } from '../../../harness/remote/paths.ts';
import { expectThat, type Feature, type FeatureContext, fail, pass, unsupported } from '../feature.ts';
import { plainImage } from './plain-image.ts';
import { raw } from './raw.ts';
import { session } from './spec-depth.ts';

/** A plain image's blobs pushed to `repo`; its manifest bytes and digest. */
const pushImage = (ctx: FeatureContext, repo: string) => plainImage(ctx.repo(repo));

const all = (res: { headers: Record<string, string | string[] | undefined> }, name: string) => {
  const v = res.headers[name];
  return v === undefined
    ? []
    : (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',').map((s) => s.trim()));
};

export const specNextFeatures: Feature[] = [
  {
    id: 'next.digest-header',
    title:
      'GET and HEAD of manifests and blobs carry Docker-Content-Digest, and HEAD its Content-Length (main: MUST)',
    area: 'pull',
    optional: false,
    spec: 'next',
    async run(ctx) {
      const repo = ctx.fresh('next-digest');
      const img = await pushImage(ctx, repo);
      await ctx.repo(repo).putManifest('v1', img.bytes, OCI_MANIFEST);
      const cases: Array<[string, string, string, number]> = [
        ['manifest by tag', manifestPath(repo, 'v1'), img.digest, img.bytes.length],
        ['manifest by digest', manifestPath(repo, img.digest), img.digest, img.bytes.length],
        ['blob', blobPath(repo, img.layer.digest), img.layer.digest, img.layer.size],
      ];
      for (const [what, path, digest, size] of cases)
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await raw(ctx, method, path, [pullScope(repo)], { headers: { accept: OCI_MANIFEST } });
          await drain(res);
          expectThat(res.status === 200, `${method} of the ${what} answered ${res.status}`);
          const got = header(res, 'docker-content-digest');
          if (got !== digest)
            return fail(`${method} of the ${what}: Docker-Content-Digest ${got ?? 'missing'}, not ${digest}`);
          if (method === 'HEAD' && header(res, 'content-length') !== String(size))
            return fail(
              `HEAD of the ${what}: Content-Length ${header(res, 'content-length') ?? 'missing'}, not ${size}`,
            );
        }
      return pass('on GET and HEAD of manifests (by tag and digest) and blobs; Content-Length on HEAD');
    },
  },
  {
    id: 'next.upload-cancel',
    title: 'DELETE of an upload session answers 204, and the session is gone (main: SHOULD)',
    area: 'push',
    optional: true,
    spec: 'next',
    async run(ctx) {
      const repo = ctx.fresh('next-cancel');
      const loc = new URL(await session(ctx, repo));
      const path = `${loc.pathname}${loc.search}`;
      const del = await raw(ctx, 'DELETE', path, [pushScope(repo)]);
      await drain(del);
      if (del.status === 405 || del.status === 404 || del.status === 400)
        return unsupported(`DELETE of the upload session answered ${del.status}`);
      if (del.status !== 204) return fail(`DELETE of the upload session answered ${del.status}, not 204`);
      // the session is gone: its status is an error now (404 BLOB_UPLOAD_UNKNOWN in
      // distribution; olareg 0.2.2 answers 400)
      const after = await raw(ctx, 'GET', path, [pushScope(repo)]);
      await drain(after);
      expectThat(
        after.status >= 400 && after.status < 500,
        `GET of the cancelled session answered ${after.status}: it is still there`,
      );
      return pass(`204, then ${after.status} for the session`);
    },
  },
  {
    id: 'next.digest-algorithm',
    title:
      'POST ?digest-algorithm= is honoured: sha512 stored under sha512, an unknown algorithm refused with 400 (main: SHOULD)',
    area: 'push',
    optional: true,
    spec: 'next',
    async run(ctx) {
      const repo = ctx.fresh('next-alg');
      const bogus = await raw(
        ctx,
        'POST',
        `${uploadsPath(repo)}?digest-algorithm=md5000`,
        [pushScope(repo)],
        {
          headers: { 'content-length': '0' },
        },
      );
      await drain(bogus);
      const post = await raw(ctx, 'POST', `${uploadsPath(repo)}?digest-algorithm=sha512`, [pushScope(repo)], {
        headers: { 'content-length': '0' },
      });
      await drain(post);
      if (post.status === 400) {
        // sha512 not supported: saying so is right; the unknown one must be refused too
        return bogus.status === 400
          ? unsupported('sha512 refused with 400 (as is an unknown algorithm)')
          : fail(`an unknown digest-algorithm answered ${bogus.status}, not 400`);
      }
      if (bogus.status !== 400) return fail(`an unknown digest-algorithm answered ${bogus.status}, not 400`);
      expectThat(
        post.status === 202 && !!header(post, 'location'),
        `POST ?digest-algorithm=sha512 answered ${post.status}`,
      );
      const bytes = randomBytes(700);
      const digest = `sha512:${createHash('sha512').update(bytes).digest('hex')}`;
      const loc = new URL(header(post, 'location')!, post.url);
      loc.searchParams.set('digest', digest);
      const put = await raw(ctx, 'PUT', `${loc.pathname}${loc.search}`, [pushScope(repo)], {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        body: bytes,
      });
      await drain(put);
      expectThat(put.status === 201, `the closing PUT of a sha512 upload answered ${put.status}`);
      const reported = header(put, 'docker-content-digest');
      if (reported && reported !== digest) return fail(`stored under ${reported}, not ${digest}`);
      const back = await raw(ctx, 'GET', blobPath(repo, digest), [pullScope(repo)]);
      const got = await readBody(back, 1024 * 1024);
      expectThat(
        back.status === 200 && got.equals(bytes),
        `GET by the sha512 digest answered ${back.status}`,
      );
      return pass('sha512 stored and served under sha512; an unknown algorithm refused with 400');
    },
  },
  {
    id: 'next.tag-params',
    title:
      'PUT of a manifest by digest with ?tag=a&tag=b applies both tags and answers one OCI-Tag per tag (main: MAY, then MUST)',
    area: 'manifest',
    optional: true,
    spec: 'next',
    async run(ctx) {
      const repo = ctx.fresh('next-tags');
      const img = await pushImage(ctx, repo);
      const put = await raw(
        ctx,
        'PUT',
        `${manifestPath(repo, img.digest)}?tag=t1&tag=t2`,
        [pushScope(repo)],
        {
          headers: { 'content-type': OCI_MANIFEST, 'content-length': String(img.bytes.length) },
          body: img.bytes,
        },
      );
      await drain(put);
      if (put.status === 414) return unsupported('414: too many tags for the registry');
      expectThat(put.status === 201, `PUT of the manifest with tag parameters answered ${put.status}`);
      const announced = all(put, 'oci-tag');
      const applied: string[] = [];
      for (const t of ['t1', 't2']) {
        const h = await raw(ctx, 'HEAD', manifestPath(repo, t), [pullScope(repo)], {
          headers: { accept: OCI_MANIFEST },
        });
        await drain(h);
        if (h.status === 200) applied.push(t);
      }
      if (!applied.length && !announced.length)
        return unsupported('tag parameters ignored (no tag applied, no OCI-Tag)');
      for (const t of applied)
        if (!announced.includes(t))
          return fail(
            `tag ${t} applied without an OCI-Tag header for it (got: ${announced.join(', ') || 'none'})`,
          );
      for (const t of announced)
        if (!applied.includes(t)) return fail(`OCI-Tag ${t} announced, but the tag does not resolve`);
      return pass(`both tags applied, OCI-Tag ${announced.join(', ')}`);
    },
  },
  {
    // in both modes: the official suite never asks for n (REGISTRY-FACTS)
    id: 'tags.n-zero',
    title: 'GET tags/list?n=0 answers an empty list and no Link',
    area: 'tags',
    optional: false,
    async run(ctx) {
      const r = ctx.repo(ctx.fresh('nzero'));
      const img = await pushImage(ctx, r.repository);
      await r.putManifest('a1', img.bytes, OCI_MANIFEST);
      await r.putManifest('a2', img.bytes, OCI_MANIFEST);
      let res: Awaited<ReturnType<typeof raw>>;
      try {
        res = await raw(ctx, 'GET', `/v2/${r.repository}/tags/list?n=0`, [pullScope(r.repository)]);
      } catch (e) {
        // a registry that drops the connection on a valid request is wrong, not the
        // harness (olareg 0.2.2 panics here: index out of range [-1])
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (
          /ECONNRESET|UND_ERR_SOCKET|EPIPE/.test(code) ||
          /socket hang up|other side closed/.test((e as Error).message)
        )
          return fail(
            `GET tags/list?n=0: the registry dropped the connection (${code || (e as Error).message})`,
          );
        throw e;
      }
      const body = (await readBody(res, 1024 * 1024)).toString();
      expectThat(res.status === 200, `GET tags/list?n=0 answered ${res.status}`);
      const tags = (JSON.parse(body) as { tags?: string[] | null }).tags ?? [];
      if (tags.length) return fail(`n=0 answered ${tags.length} tags: ${tags.slice(0, 5).join(', ')}`);
      if (header(res, 'link')) return fail(`n=0 answered a Link header: ${header(res, 'link')}`);
      return pass('an empty list, no Link');
    },
  },
];
