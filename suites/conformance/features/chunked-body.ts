// A request body sent with Transfer-Encoding: chunked and no Content-Length. HTTP/1.1
// says a recipient MUST be able to parse the chunked coding (RFC 9112 7.1), and
// clients send it for a body whose length they do not give: the official conformance
// suite's manifest PUTs and streamed blob PATCHes go out so (Go's net/http), and its
// junit against the ACR profile shows every data set failing at that PUT. ACR answers
// 400 CONTENT_LENGTH_INVALID (REGISTRY-FACTS, "Upload"); ocicat's own requests always
// carry Content-Length. suites/conformance/chunked-body.test.ts shows the check pass
// on real registries and fail behind the ACR rule.
import { randomBytes } from 'node:crypto';
import { digestOf } from '../../../harness/oci/digest.ts';
import { OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { pushScope } from '../../../harness/remote/auth/scope.ts';
import { drain, header, readBody } from '../../../harness/remote/http.ts';
import { manifestPath } from '../../../harness/remote/paths.ts';
import { registryErrorFrom } from '../../../harness/remote/registry-error.ts';
import { type Feature, fail, pass } from '../feature.ts';
import { plainImage } from './plain-image.ts';
import { raw } from './raw.ts';
import { session } from './spec-depth.ts';

/** The registry's refusal in its own words: "PUT …: 400 CONTENT_LENGTH_INVALID: …". */
async function refusal(res: Parameters<typeof readBody>[0], method: string): Promise<string> {
  const body = (await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0))).toString();
  return registryErrorFrom(res.status, method, res.url, body).message;
}

export const chunkedBodyFeatures: Feature[] = [
  {
    id: 'push.chunked-body',
    title: 'A blob PUT and a manifest PUT whose bodies are sent with Transfer-Encoding: chunked are taken',
    area: 'push',
    optional: false,
    async run(ctx) {
      const repo = ctx.fresh('chunked');
      const scopes = [pushScope(repo)];
      // a blob: POST, then the monolithic PUT with its body chunked
      const data = randomBytes(4096);
      const digest = digestOf(data);
      const at = new URL(await session(ctx, repo));
      at.searchParams.set('digest', digest);
      const put = await raw(ctx, 'PUT', at.toString(), scopes, {
        headers: { 'content-type': 'application/octet-stream' },
        body: data,
        chunked: true,
      });
      if (put.status !== 201) return fail(`a blob PUT with a chunked body: ${await refusal(put, 'PUT')}`);
      await drain(put);
      const stored = await ctx.repo(repo).headBlob(digest);
      if (stored?.size !== data.length)
        return fail(
          `the blob PUT with a chunked body answered 201, and HEAD then says ${stored ? `${stored.size} bytes` : 'it is not there'}`,
        );
      // a manifest: its blobs pushed as usual, then the PUT with its body chunked
      const img = await plainImage(ctx.repo(repo));
      const m = await raw(ctx, 'PUT', manifestPath(repo, 'v1'), scopes, {
        headers: { 'content-type': OCI_MANIFEST },
        body: img.bytes,
        chunked: true,
      });
      if (m.status !== 201) return fail(`a manifest PUT with a chunked body: ${await refusal(m, 'PUT')}`);
      await drain(m);
      const back = await ctx.repo(repo).headManifest('v1');
      if (back?.digest !== img.digest)
        return fail(
          `the manifest PUT with a chunked body answered 201, and the tag then holds ${back?.digest ?? 'nothing'}`,
        );
      return pass(
        `a blob (${data.length} bytes) and a manifest, each sent chunked, stored as sent (Docker-Content-Digest ${header(m, 'docker-content-digest') ?? 'not sent'})`,
      );
    },
  },
];
