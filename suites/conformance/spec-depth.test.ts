// The deeper checks (features/spec-depth.ts) against real registries, and each
// shown to fail on a registry that is wrong in exactly its way: the real defects of
// distribution 2.8 and 3.1.1 the official suite finds (REGISTRY-FACTS "What it
// found"), and proxy rules that make a healthy distribution 3 misbehave (a 416 whose
// length lies, a DELETE that keeps the blob, Zot's shared storage across
// repositories) or behave (a registry that validates the reference), so that
// every verdict is seen both ways.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { distribution3 } from '../../registries/definitions/distribution3.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { keepsEmptyJsonBlob, keepsSharedBlobs } from '../../registries/proxy/blob-delete-quirks.ts';
import { profile } from '../../registries/proxy/profiles/index.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import { ociError, type ProxyRequest, type Rule, type UpstreamAnswer } from '../../registries/proxy/rule.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { plainTarget, verdictOf } from '../support/feature-verdict.ts';
import { tryStart } from '../support/registry.ts';
import { specDepthFeatures } from './features/spec-depth.ts';
import { runFeature } from './run-feature.ts';
import type { Target } from './target.ts';

let d2: StartedRegistry | undefined;
let d3: StartedRegistry | undefined;
let skip = '';
beforeAll(async () => {
  const a = await tryStart(() => startProcess(distribution2));
  const b = await tryStart(() => startProcess(distribution3));
  d2 = a.reg;
  d3 = b.reg;
  skip = a.skip ?? b.skip ?? '';
});
afterAll(async () => {
  await d2?.stop();
  await d3?.stop();
});

const target = (host: string, id: string, namespace = 'depth'): Target => plainTarget(host, id, namespace);

async function verdict(id: string, host: string): Promise<{ status: string; detail: string }> {
  const { status, detail } = await verdictOf(specDepthFeatures, id, host, 'depth');
  return { status, detail };
}

async function behindD3(rules: Rule[], id: string) {
  await using proxy = await startProxy(d3!, rules);
  return await verdict(id, proxy.host);
}

describe('spec-depth checks: the real registries', () => {
  it('find on distribution 2.8 and 3.1.1 the defects the official suite finds', async (ctx) => {
    if (!d2 || !d3) return ctx.skip(skip);
    const got: Record<string, [string, string]> = {};
    for (const f of specDepthFeatures)
      got[f.id] = [(await verdict(f.id, d2.host)).status, (await verdict(f.id, d3.host)).status];
    expect(got).toEqual({
      'push.blob.out-of-order': ['fail', 'fail'], // 2.8 takes one with 202; 3.1.1 answers a closing PUT with 400
      'pull.blob.range-unsatisfiable': ['fail', 'pass'], // 2.8's 416 declares more than it sends
      'manifest.bad-digest-reference': ['fail', 'fail'], // 500
      'manifest.non-distributable': ['fail', 'fail'], // 500
      'push.blob.sha512': ['fail', 'fail'], // accepted, then under a sha256 digest
      'delete.blob': ['pass', 'pass'],
      'delete.blob.shared': ['pass', 'pass'],
      'delete.blob.empty-config': ['pass', 'pass'],
      'push.blob.digest-mismatch': ['pass', 'pass'],
      'push.repository-isolation': ['pass', 'pass'],
    });
  });
});

describe('spec-depth checks: each verdict both ways, through proxy rules', () => {
  it('push.blob.out-of-order passes where the closing PUT gets 416 too, fails where a chunk gets 202', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const strict = await behindD3(
      [
        {
          name: '416 on an out-of-order closing PUT',
          method: 'PUT',
          when: (req) => req.headers['content-range'] === '2048-3071',
          reply: ociError(416, 'BLOB_UPLOAD_INVALID', 'out of order'),
        },
      ],
      'push.blob.out-of-order',
    );
    expect(strict.status, strict.detail).toBe('pass');
    const v = await behindD3(
      [
        {
          name: 'accepts any chunk',
          method: 'PATCH',
          when: (req) => /^2048-/.test(String(req.headers['content-range'])),
          reply: (req) => ({ status: 202, headers: { location: req.path, range: '0-3071' } }),
        },
      ],
      'push.blob.out-of-order',
    );
    expect(v).toEqual({ status: 'fail', detail: expect.stringMatching(/answered 202, not 416/) });
  });

  it('pull.blob.range-unsatisfiable fails where a 416 declares more than it sends', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const lying = (_req: IncomingMessage, res: ServerResponse) =>
      res.socket?.end(
        'HTTP/1.1 416 Requested Range Not Satisfiable\r\nContent-Length: 2048\r\n\r\nrange invalid\n',
      );
    const v = await behindD3(
      [
        {
          name: '416 that lies',
          method: 'GET',
          when: (req) => req.headers.range !== undefined,
          action: { kind: 'serve', serve: lying },
        },
      ],
      'pull.blob.range-unsatisfiable',
    );
    expect(v.status).toBe('fail');
    expect(v.detail).toMatch(/declares Content-Length: 2048 and sends 14 bytes/);
  });

  it('manifest.bad-digest-reference passes where the reference is validated, fails on a leaked path', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const validating = await behindD3(
      [
        {
          name: 'validates',
          method: 'PUT',
          path: /manifests\/sha256:baddigeststring/,
          reply: ociError(400, 'DIGEST_INVALID', 'invalid digest'),
        },
      ],
      'manifest.bad-digest-reference',
    );
    expect(validating.status).toBe('pass');
    const leaking = await behindD3(
      [
        {
          name: 'leaks',
          method: 'PUT',
          path: /manifests\/sha256:baddigeststring/,
          reply: ociError(
            400,
            'DIGEST_INVALID',
            'open /var/lib/registry/docker/registry/v2/repositories/x: invalid',
          ),
        },
      ],
      'manifest.bad-digest-reference',
    );
    expect(leaking).toEqual({ status: 'fail', detail: expect.stringMatching(/leaks a storage path/) });
  });

  it('manifest.non-distributable passes on 201 and is unsupported on a clean refusal', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const body = (s: number) => [
      {
        name: `answers ${s}`,
        method: 'PUT',
        path: /\/manifests\/v1$/,
        reply: s === 201 ? { status: 201 } : ociError(s, 'MANIFEST_INVALID', 'no foreign layers'),
      },
    ];
    expect((await behindD3(body(201), 'manifest.non-distributable')).status).toBe('pass');
    expect((await behindD3(body(400), 'manifest.non-distributable')).status).toBe('unsupported');
  });

  it('push.blob.sha512 is unsupported where sha512 is refused cleanly', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const v = await behindD3(
      [
        {
          name: 'no sha512',
          method: 'PUT',
          when: (req) => /digest=sha512/.test(req.path),
          reply: ociError(400, 'DIGEST_INVALID', 'unsupported digest algorithm'),
        },
      ],
      'push.blob.sha512',
    );
    expect(v.status).toBe('unsupported');
  });

  it('delete.blob fails where a DELETE answers 202 and the blob stays readable (Zot with dedupe)', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const v = await behindD3(
      [{ name: 'keeps deleted blobs', method: 'DELETE', path: /\/blobs\/sha256:/, reply: { status: 202 } }],
      'delete.blob',
    );
    expect(v).toEqual({
      status: 'fail',
      detail: expect.stringMatching(/HEAD after DELETE \(202\) answered 200/),
    });
  });

  // issue 22: each delete case its own verdict, each shown failing behind a rule that
  // behaves like the registry that has the defect, and passing on one that does not
  it('delete.blob.shared fails behind a rule that behaves like Zot with dedupe; delete.blob passes there', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const shared = await behindD3(keepsSharedBlobs(), 'delete.blob.shared');
    expect(shared).toEqual({
      status: 'fail',
      detail: expect.stringMatching(
        /HEAD after DELETE \(202\), while another repository holds it, answered 200/,
      ),
    });
    expect((await behindD3(keepsSharedBlobs(), 'delete.blob')).status).toBe('pass');
    expect((await behindD3(keepsSharedBlobs(), 'delete.blob.empty-config')).status).toBe('pass');
  });

  it('delete.blob.empty-config fails behind the Harbor rule (and in the Harbor profile); delete.blob passes there', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const v = await behindD3(keepsEmptyJsonBlob(), 'delete.blob.empty-config');
    expect(v).toEqual({
      status: 'fail',
      detail: expect.stringMatching(/HEAD of the empty JSON blob after DELETE \(202\) answered 200/),
    });
    expect((await behindD3(keepsEmptyJsonBlob(), 'delete.blob')).status).toBe('pass');
    expect((await behindD3(keepsEmptyJsonBlob(), 'delete.blob.shared')).status).toBe('pass');
  });

  it('push.repository-isolation fails where a blob is readable in a repository that never received it (Zot with dedupe)', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    let first = '';
    const v = await behindD3(
      [
        {
          name: 'remember the first repository',
          when: (req) => {
            const m = /^\/v2\/(depth\/iso-a-[0-9a-f]+)\//.exec(req.path);
            if (m) first = m[1]!;
            return false;
          },
          reply: { status: 500 },
        },
        {
          name: 'shared storage',
          method: ['HEAD', 'GET'],
          path: /^\/v2\/depth\/iso-b-[0-9a-f]+\/blobs\//,
          reply: async (req, upstream) => {
            const up = await upstream(req.method, req.path.replace(/depth\/iso-b-[0-9a-f]+/, first));
            return {
              status: up.status,
              headers: { 'docker-content-digest': String(up.headers['docker-content-digest'] ?? '') },
              body: up.body,
            };
          },
        },
      ],
      'push.repository-isolation',
    );
    expect(v).toEqual({ status: 'fail', detail: expect.stringMatching(/never received it answered 200/) });
  });

  it('referrers.api passes on Harbor 2.15 as measured, fails without OCI-Subject or with a filter that does not filter', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const { registryFeatures } = await import('./features/registry.ts');
    const f = registryFeatures.find((x) => x.id === 'referrers.api')!;
    const run = async (rules: Rule[]) => {
      await using proxy = await startProxy(d3!, rules);
      const t = target(proxy.host, 'harbor-like', 'catalogs/conformance');
      return await runFeature(f, { targets: [t] }, t);
    };
    const harbor = () => profile('harbor').rules();
    const ok = await run(harbor());
    expect(ok.status, ok.detail).toBe('pass');
    // the same, with OCI-Subject dropped from the PUT's answer
    const noSubject = harbor().map((r) =>
      r.action?.kind === 'rewrite' && /OCI-Subject/.test(r.name)
        ? {
            ...r,
            action: {
              kind: 'rewrite' as const,
              rewrite: (a: UpstreamAnswer, req: ProxyRequest) => {
                const out = (
                  r.action as { rewrite: (x: UpstreamAnswer, q: ProxyRequest) => UpstreamAnswer }
                ).rewrite(a, req);
                const { 'oci-subject': _, ...headers } = out.headers;
                return { ...out, headers };
              },
            },
          }
        : r,
    );
    const v1 = await run(noSubject);
    expect(v1.status).toBe('fail');
    expect(v1.detail).toMatch(/no OCI-Subject/);
    // says it filtered, lists the other type all the same
    const lying: Rule = {
      name: 'claims a filter',
      method: 'GET',
      path: /\/referrers\/.*artifactType=/,
      reply: {
        status: 200,
        headers: {
          'content-type': 'application/vnd.oci.image.index.v1+json',
          'oci-filters-applied': 'artifactType',
        },
        body: JSON.stringify({
          schemaVersion: 2,
          manifests: [{ mediaType: 'x', digest: 'sha256:00', size: 1 }],
        }),
      },
    };
    const v2 = await run([lying, ...harbor()]);
    expect(v2.status).toBe('fail');
    expect(v2.detail).toMatch(/OCI-Filters-Applied: artifactType, but the other type is listed/);
  });

  it('manifest shapes fail where the registry rewrites the JSON it stored, or refuses a shape it must take', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const { manifestShapeFeatures } = await import('./features/manifest-shapes.ts');
    const shape = (name: string) => manifestShapeFeatures.find((x) => x.id === `manifest.shape.${name}`)!;
    const run = async (rules: Rule[], name: string) => {
      await using proxy = await startProxy(d3!, rules);
      const t = target(proxy.host, 'rewriting');
      return await runFeature(shape(name), { targets: [t] }, t);
    };
    // re-encodes what it serves (drops nothing, but normalizes spacing and key order)
    const normalizing: Rule = {
      name: 'normalizes JSON',
      method: 'GET',
      path: /\/manifests\/v1$/,
      reply: async (req, upstream) => {
        const up = await upstream('GET', req.path, { accept: String(req.headers.accept) });
        const o = JSON.parse(up.body.toString()) as Record<string, unknown>;
        const sorted = Object.fromEntries(
          Object.keys(o)
            .sort()
            .map((k) => [k, o[k]]),
        );
        return {
          status: up.status,
          headers: { 'content-type': String(up.headers['content-type']) },
          body: JSON.stringify(sorted),
        };
      },
    };
    const v = await run([normalizing], 'custom-fields');
    expect(v.status).toBe('fail');
    expect(v.detail).toMatch(/the registry rewrote the manifest/);
    const refusing: Rule = {
      name: 'refuses an empty index',
      method: 'PUT',
      path: /\/manifests\/v1$/,
      reply: ociError(400, 'MANIFEST_INVALID', 'no manifests'),
    };
    expect((await run([refusing], 'empty-index')).status).toBe('fail');
    expect((await run([refusing], 'missing-subject')).status).toBe('unsupported'); // only recommended
    expect((await run([], 'custom-fields')).status).toBe('pass');
  });

  it('push.blob.digest-mismatch fails where a registry takes bytes that do not match their digest', async (ctx) => {
    if (!d3) return ctx.skip(skip);
    const v = await behindD3(
      [
        {
          name: 'trusts the digest',
          method: 'PUT',
          when: (req) => /digest=sha256/.test(req.path) && /mismatch-/.test(req.path),
          reply: { status: 201 },
        },
      ],
      'push.blob.digest-mismatch',
    );
    expect(v).toEqual({ status: 'fail', detail: expect.stringMatching(/were accepted \(201\)/) });
  });
});
