// Checks as deep as the official OCI suite's on the points where it finds defects
// that ocicat used to report green (issue 13; REGISTRY-FACTS "What it found"):
// out-of-order chunks, unsatisfiable ranges, bad digest references, non-
// distributable layers, sha512 blobs, blob delete and repository isolation. Each
// talks to the registry with raw requests, so that no client-side help hides what
// the registry did; suites/conformance/spec-depth.test.ts shows each failing
// behind a proxy rule that makes a healthy registry misbehave in exactly that way.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { digestOf } from '../../../harness/oci/digest.ts';
import { encodeManifest } from '../../../harness/oci/manifest.ts';
import { EMPTY_JSON, OCI_MANIFEST } from '../../../harness/oci/media-types.ts';
import { pullScope, pushScope } from '../../../harness/remote/auth/scope.ts';
import { bufferSource } from '../../../harness/remote/blob-source.ts';
import { drain, header, readBody } from '../../../harness/remote/http.ts';
import { blobPath, manifestPath, uploadsPath, withQuery } from '../../../harness/remote/paths.ts';
import {
  excerpt,
  expectThat,
  type Feature,
  type FeatureContext,
  fail,
  pass,
  unsupported,
} from '../feature.ts';
import { raw } from './raw.ts';
import { IMAGE_CONFIG, IMAGE_CONFIG_DESC } from './registry.ts';

const text = async (res: Parameters<typeof readBody>[0]) => (await readBody(res, 1024 * 1024)).toString();

/** POST an upload session; its absolute Location. */
export async function session(ctx: FeatureContext, repo: string): Promise<string> {
  const res = await raw(ctx, 'POST', uploadsPath(repo), [pushScope(repo)], {
    headers: { 'content-length': '0' },
  });
  expectThat(res.status === 202, `POST of an upload answered ${res.status}`);
  const loc = header(res, 'location');
  await drain(res);
  expectThat(!!loc, 'POST of an upload answered without Location');
  return new URL(loc!, res.url).toString();
}

/** A leaked filesystem path or stack in an error text (distribution 2.8 and 3.1.1 leak theirs on a 500). */
const LEAK = /\/var\/lib\/|\/docker\/registry\/v2\/|\/registry\/docker\/|goroutine \d+|\.go:\d+/;

export const specDepthFeatures: Feature[] = [
  {
    id: 'push.blob.out-of-order',
    title:
      'An out-of-order chunk is refused with 416 (PATCH and closing PUT), and GET on the upload then gives the right Range',
    area: 'push',
    optional: false,
    async run(ctx) {
      const repo = ctx.fresh('ooo');
      const loc = await session(ctx, repo);
      const patch = (bytes: Buffer, start: number, at: string) =>
        raw(ctx, 'PATCH', at, [pushScope(repo)], {
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${start}-${start + bytes.length - 1}`,
          },
          body: bytes,
        });
      const first = await patch(randomBytes(1024), 0, loc);
      await drain(first);
      if (first.status !== 202) return fail(`the first in-order chunk answered ${first.status}, not 202`);
      const next = new URL(header(first, 'location') ?? loc, first.url).toString();
      // a gap: bytes 2048- while the upload holds 0-1023
      const gap = await patch(randomBytes(1024), 2048, next);
      await drain(gap);
      if (gap.status !== 416)
        return fail(
          `an out-of-order chunk (Content-Range 2048-3071 after 0-1023) answered ${gap.status}, not 416`,
        );
      const status = await raw(ctx, 'GET', next, [pushScope(repo)]);
      await drain(status);
      expectThat(status.status === 204, `GET on the upload after a 416 answered ${status.status}, not 204`);
      const range = header(status, 'range');
      expectThat(
        range === '0-1023' || range === 'bytes=0-1023',
        `the upload reports Range ${range ?? '(none)'}, not 0-1023`,
      );
      // the same gap in the closing PUT (distribution 3.1.1 answers 400 DIGEST_INVALID there)
      const tail = randomBytes(1024);
      const close = await raw(
        ctx,
        'PUT',
        withQuery(new URL(header(status, 'location') ?? next, status.url).toString(), {
          digest: digestOf(Buffer.concat([randomBytes(2048), tail])),
        }),
        [pushScope(repo)],
        { headers: { 'content-type': 'application/octet-stream', 'content-range': '2048-3071' }, body: tail },
      );
      await drain(close);
      if (close.status !== 416)
        return fail(
          `a closing PUT with an out-of-order chunk (Content-Range 2048-3071) answered ${close.status}, not 416`,
        );
      return pass('416 on PATCH and on the closing PUT; GET gave Range 0-1023');
    },
  },
  {
    id: 'push.blob.digest-mismatch',
    title: 'An upload whose bytes do not match its digest is refused with 400, and nothing is stored',
    area: 'push',
    optional: false,
    async run(ctx) {
      const repo = ctx.fresh('mismatch');
      const bytes = randomBytes(2048);
      const claimed = digestOf(randomBytes(2048));
      const loc = await session(ctx, repo);
      const put = await raw(ctx, 'PUT', withQuery(loc, { digest: claimed }), [pushScope(repo)], {
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      const body = await text(put);
      if (put.status === 201 || put.status === 202)
        return fail(`bytes that do not match ${claimed} were accepted (${put.status})`);
      if (put.status >= 500) return fail(`answered ${put.status}, not 400: ${excerpt(ctx, body, 120)}`);
      expectThat(put.status === 400, `answered ${put.status}, not 400 (DIGEST_INVALID)`);
      for (const d of [claimed, digestOf(bytes)]) {
        const head = await raw(ctx, 'HEAD', blobPath(repo, d), [pullScope(repo)]);
        await drain(head);
        expectThat(
          head.status === 404,
          `after the refusal, HEAD of ${d} answered ${head.status}: something was stored`,
        );
      }
      return pass(`400 ${/DIGEST_INVALID/.test(body) ? 'DIGEST_INVALID' : ''}, nothing stored`.trim());
    },
  },
  {
    id: 'pull.blob.range-unsatisfiable',
    title: 'An unsatisfiable Range gets a well-formed 416 (its declared length matches its body)',
    area: 'pull',
    optional: true,
    async run(ctx) {
      const repo = ctx.fresh('range416');
      const bytes = randomBytes(4096);
      const desc = { digest: digestOf(bytes), size: bytes.length };
      await ctx.repo(repo).pushBlob(desc, bufferSource(bytes));
      const auth = await ctx.client.auth.header(ctx.target.host, [pullScope(repo)]);
      const raw = await rawGet(ctx, blobPath(repo, desc.digest), {
        range: 'bytes=10000-20000',
        ...(auth ? { authorization: auth } : {}),
      });
      if (raw.status === 200) return unsupported('ranges are not supported (200 with the whole blob)');
      if (raw.status !== 416) return fail(`an unsatisfiable Range answered ${raw.status}, not 416`);
      if (raw.declared !== undefined && raw.declared !== raw.body)
        return fail(`the 416 declares Content-Length: ${raw.declared} and sends ${raw.body} bytes`);
      return pass('416, well-formed');
    },
  },
  {
    id: 'manifest.bad-digest-reference',
    title: 'A malformed digest reference is refused with 400 or 404, never a 500 or a leaked path',
    area: 'errors',
    optional: false,
    async run(ctx) {
      const repo = ctx.fresh('baddigest');
      // a plain image config: GAR has refused the empty one (REGISTRY-FACTS), which is not the point here
      await ctx.repo(repo).pushBlob(IMAGE_CONFIG_DESC, bufferSource(IMAGE_CONFIG));
      const m = encodeManifest({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: IMAGE_CONFIG_DESC,
        layers: [],
      });
      const res = await raw(ctx, 'PUT', manifestPath(repo, 'sha256:baddigeststring'), [pushScope(repo)], {
        headers: { 'content-type': OCI_MANIFEST },
        body: m,
      });
      const body = await text(res);
      if (LEAK.test(body))
        return fail(`the answer (${res.status}) leaks a storage path or a stack: ${excerpt(ctx, body, 160)}`);
      if (res.status >= 500)
        return fail(`a malformed digest reference answered ${res.status}: ${excerpt(ctx, body, 160)}`);
      expectThat(
        res.status === 400 || res.status === 404,
        `a malformed digest reference answered ${res.status}`,
      );
      return pass(String(res.status));
    },
  },
  {
    id: 'manifest.non-distributable',
    title:
      'A manifest with non-distributable (foreign URL) layers is accepted, or refused cleanly, never a 500',
    area: 'manifest',
    optional: true,
    async run(ctx) {
      const repo = ctx.fresh('nondist');
      // a plain image config: GAR has refused the empty one (REGISTRY-FACTS), which is not the point here
      await ctx.repo(repo).pushBlob(IMAGE_CONFIG_DESC, bufferSource(IMAGE_CONFIG));
      const foreign = randomBytes(64);
      const m = encodeManifest({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: IMAGE_CONFIG_DESC,
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
            digest: digestOf(foreign),
            size: foreign.length,
            urls: ['https://example.com/layer.tar.gz'],
          },
        ],
      });
      const res = await raw(ctx, 'PUT', manifestPath(repo, 'v1'), [pushScope(repo)], {
        headers: { 'content-type': OCI_MANIFEST },
        body: m,
      });
      const body = await text(res);
      if (res.status >= 500)
        return fail(`answered ${res.status}${LEAK.test(body) ? ', leaking a storage path' : ''}`);
      if (res.status >= 400)
        return unsupported(
          `refused with ${res.status} (non-distributable layers are deprecated in image-spec 1.1)`,
        );
      expectThat(res.status === 201, `answered ${res.status}`);
      return pass('201');
    },
  },
  {
    id: 'push.blob.sha512',
    title: 'A sha512 blob is refused, or stored and served under its sha512 digest',
    area: 'push',
    optional: true,
    async run(ctx) {
      const repo = ctx.fresh('sha512');
      const bytes = randomBytes(2048);
      const digest = `sha512:${createHash('sha512').update(bytes).digest('hex')}`;
      const loc = await session(ctx, repo);
      const put = await raw(ctx, 'PUT', withQuery(loc, { digest }), [pushScope(repo)], {
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      const answer = await text(put);
      if (put.status >= 400 && put.status < 500)
        return unsupported(`sha512 refused with ${put.status} ${excerpt(ctx, answer, 80)}`.trim());
      expectThat(put.status === 201, `the closing PUT answered ${put.status}`);
      const said = header(put, 'docker-content-digest');
      if (said && said !== digest) return fail(`accepted, then reported under ${said}`);
      const head = await raw(ctx, 'HEAD', blobPath(repo, digest), [pullScope(repo)]);
      await drain(head);
      if (head.status !== 200)
        return fail(`accepted, then HEAD by its sha512 digest answered ${head.status}`);
      const back = await raw(ctx, 'GET', blobPath(repo, digest), [pullScope(repo)]);
      const got = await readBody(back, 1024 * 1024);
      expectThat(
        back.status === 200 && got.equals(bytes),
        'GET by its sha512 digest does not give the bytes back',
      );
      return pass('stored and served under sha512');
    },
  },
  {
    id: 'delete.blob',
    title: 'DELETE of a blob only this repository holds: then HEAD and GET answer 404',
    area: 'delete',
    optional: true,
    async run(ctx) {
      const a = ctx.fresh('delblob');
      const bytes = randomBytes(1024);
      const desc = { digest: digestOf(bytes), size: bytes.length };
      await ctx.repo(a).pushBlob(desc, bufferSource(bytes));
      const s = await deleteBlob(ctx, a, desc.digest);
      if (s === 405 || s === 400 || s === 403) return unsupported(`DELETE of a blob answered ${s}`);
      expectThat(s === 202, `DELETE of a blob answered ${s}, not 202`);
      await expectBlob(ctx, a, desc.digest, 404, 'after DELETE (202)');
      return pass('404 after DELETE');
    },
  },
  {
    // Zot 2.1.20 with its default dedupe keeps a deleted blob readable while another
    // repository holds the same bytes (REGISTRY-FACTS "Seen here on 2026-12-01")
    id: 'delete.blob.shared',
    title:
      'DELETE of a blob other repositories hold too (pushed there, or mounted from there): 404 here, still there',
    area: 'delete',
    optional: true,
    async run(ctx) {
      const bytes = randomBytes(1024);
      const desc = { digest: digestOf(bytes), size: bytes.length };
      const [a, b, c] = [ctx.fresh('delshared-a'), ctx.fresh('delshared-b'), ctx.fresh('delshared-c')];
      await ctx.repo(a).pushBlob(desc, bufferSource(bytes));
      await ctx.repo(b).pushBlob(desc, bufferSource(bytes));
      const s = await deleteBlob(ctx, a, desc.digest);
      if (s === 405 || s === 400 || s === 403) return unsupported(`DELETE of a blob answered ${s}`);
      expectThat(s === 202, `DELETE of a blob answered ${s}, not 202`);
      await expectBlob(ctx, a, desc.digest, 404, 'after DELETE (202), while another repository holds it,');
      await expectBlob(ctx, b, desc.digest, 200, 'in the other repository after a DELETE elsewhere');
      // a mounted copy goes with its own DELETE, and the source keeps it
      const mount = await raw(
        ctx,
        'POST',
        `${uploadsPath(c)}?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(b)}`,
        [pushScope(c), pullScope(b)],
        { headers: { 'content-length': '0' } },
      );
      await drain(mount);
      if (mount.status !== 201)
        return pass('404 after DELETE while another repository holds it (mount not offered)');
      expectThat((await deleteBlob(ctx, c, desc.digest)) === 202, 'DELETE of a mounted blob was refused');
      await expectBlob(ctx, c, desc.digest, 404, 'after DELETE (202) of a mounted copy');
      await expectBlob(ctx, b, desc.digest, 200, 'in the repository it was mounted from');
      return pass('404 after DELETE while another repository holds it, also after a mount');
    },
  },
  {
    // Harbor 2.15.2 answers 202 to DELETE of the empty JSON blob {} and keeps
    // serving it (REGISTRY-FACTS; the official case "sha256 blobs/emptyJSON/blob-delete").
    // Every catalog's config is that blob (DESIGN "Catalog format").
    id: 'delete.blob.empty-config',
    title: 'DELETE of the empty JSON blob {} that a manifest of this repository uses: 404 after a 202',
    area: 'delete',
    optional: true,
    async run(ctx) {
      const repo = ctx.fresh('delempty');
      const r = ctx.repo(repo);
      await r.pushBlob(EMPTY_JSON, bufferSource(Buffer.from('{}')));
      const layer = randomBytes(512);
      const ld = { mediaType: 'application/octet-stream', digest: digestOf(layer), size: layer.length };
      await r.pushBlob(ld, bufferSource(layer));
      const m = encodeManifest({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.ocicat.test.v1',
        config: { ...EMPTY_JSON },
        layers: [ld],
      });
      await r.putManifest('v1', m, OCI_MANIFEST);
      const s = await deleteBlob(ctx, repo, EMPTY_JSON.digest);
      if (s === 405 || s === 400 || s === 403 || s === 409)
        return unsupported(`DELETE of a blob a manifest uses answered ${s}`);
      expectThat(s === 202, `DELETE of the empty JSON blob answered ${s}, not 202`);
      await expectBlob(ctx, repo, EMPTY_JSON.digest, 404, 'of the empty JSON blob after DELETE (202)');
      return pass('404 after DELETE');
    },
  },
  {
    id: 'push.repository-isolation',
    title: 'A blob is never readable through a repository that did not receive it or mount it',
    area: 'push',
    optional: false,
    async run(ctx) {
      const a = ctx.fresh('iso-a');
      const other = ctx.fresh('iso-b');
      const bytes = randomBytes(1024);
      const desc = { digest: digestOf(bytes), size: bytes.length };
      await ctx.repo(a).pushBlob(desc, bufferSource(bytes));
      // the other repository exists (it holds a blob of its own), but never received this one
      const own = randomBytes(64);
      await ctx.repo(other).pushBlob({ digest: digestOf(own), size: own.length }, bufferSource(own));
      for (const method of ['HEAD', 'GET'] as const) {
        const res = await ctx.client.send({
          registry: ctx.target.host,
          method,
          path: blobPath(other, desc.digest),
          scopes: [pullScope(other)],
        });
        await drain(res);
        if (res.status === 200)
          return fail(
            `${method} of a blob through a repository that never received it answered 200 (shared storage leaks across repositories)`,
          );
        expectThat(res.status === 404, `${method} answered ${res.status}, not 404`);
      }
      return pass('404 in the other repository');
    },
  },
];

/**
 * A GET on a raw socket, read until the server closes or goes quiet for a second:
 * a body shorter than its Content-Length (distribution 2.8's 416) would leave an
 * HTTP client waiting for bytes that never come.
 */
async function rawGet(
  ctx: FeatureContext,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; declared?: number; body: number }> {
  const [host, port] = [
    ctx.target.host.slice(0, ctx.target.host.lastIndexOf(':')),
    Number(ctx.target.host.split(':').pop()),
  ];
  const socket = ctx.target.plainHttp
    ? netConnect({ host, port })
    : tlsConnect({
        host,
        port,
        ...(isIP(host) ? {} : { servername: host }),
        rejectUnauthorized: !ctx.target.insecure,
        ...(ctx.target.caFile ? { ca: readFileSync(ctx.target.caFile, 'utf8') } : {}),
      });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(idle);
      socket.destroy();
      resolve();
    };
    socket.setTimeout(10_000, done);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(idle);
      idle = setTimeout(done, 1000);
    });
    socket.on('end', done);
    socket.on('error', reject);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${ctx.target.host}\r\nConnection: close\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
    );
  });
  const all = Buffer.concat(chunks);
  const end = all.indexOf('\r\n\r\n');
  const head = all.subarray(0, end < 0 ? all.length : end).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
  return {
    status,
    ...(cl !== undefined && !chunked ? { declared: Number(cl) } : {}),
    body: end < 0 ? 0 : all.length - end - 4,
  };
}

/** DELETE of a blob in `repo`; its status. */
async function deleteBlob(ctx: FeatureContext, repo: string, digest: string): Promise<number> {
  const res = await raw(ctx, 'DELETE', blobPath(repo, digest), [
    pushScope(repo),
    { repository: repo, actions: ['delete'] },
  ]);
  await drain(res);
  return res.status;
}

/** HEAD and GET of a blob in `repo` answer `status` (404: gone; 200: still there). */
async function expectBlob(
  ctx: FeatureContext,
  repo: string,
  digest: string,
  status: 200 | 404,
  when: string,
): Promise<void> {
  for (const method of ['HEAD', 'GET'] as const) {
    const res = await ctx.client.send({
      registry: ctx.target.host,
      method,
      path: blobPath(repo, digest),
      scopes: [pullScope(repo)],
    });
    await drain(res);
    expectThat(res.status === status, `${method} ${when} answered ${res.status} in ${repo}, not ${status}`);
  }
}
