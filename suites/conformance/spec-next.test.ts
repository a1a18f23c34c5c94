// The checks of what main asks beyond 1.1.1, and n=0 (features/spec-next.ts, issue
// 25): each passes on a registry that does it right (olareg 0.2.2; distribution
// 3.1.2 for n=0) and fails behind a proxy rule that breaks that registry in exactly
// that way. Real registries that are wrong: olareg 0.2.2 drops the connection on
// tags/list?n=0 (it panics), distribution 2.8 answers the whole list; distribution
// 3.1.2 takes an unknown digest-algorithm with 202.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { distribution312 } from '../../registries/definitions/distribution3.ts';
import { olareg } from '../../registries/definitions/olareg.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { Rule } from '../../registries/proxy/rule.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { verdictOf } from '../support/feature-verdict.ts';
import { tryStart } from '../support/registry.ts';
import { specNextFeatures } from './features/spec-next.ts';

let ola: StartedRegistry | undefined;
let d312: StartedRegistry | undefined;
let d2: StartedRegistry | undefined;
let skip = '';
beforeAll(async () => {
  const a = await tryStart(() => startProcess(olareg));
  const b = await tryStart(() => startProcess(distribution312));
  const c = await tryStart(() => startProcess(distribution2));
  ola = a.reg;
  d312 = b.reg;
  d2 = c.reg;
  skip = a.skip ?? b.skip ?? c.skip ?? '';
});
afterAll(async () => {
  await ola?.stop();
  await d312?.stop();
  await d2?.stop();
});

const verdict = (id: string, host: string) => verdictOf(specNextFeatures, id, host, 'next');
async function behind(reg: StartedRegistry, rules: Rule[], id: string) {
  await using proxy = await startProxy(reg, rules);
  return await verdict(id, proxy.host);
}

const strip = (name: string, method: string | string[], path: RegExp): Rule => ({
  name: `strips ${name}`,
  method,
  path,
  action: {
    kind: 'rewrite',
    rewrite: (a) => {
      const { [name]: _, ...headers } = a.headers;
      return { ...a, headers };
    },
  },
});

describe('spec next checks', () => {
  it('pass on the registry that does each right, and only with --spec next (n=0 always)', async (ctx) => {
    if (!ola || !d312 || !d2) return ctx.skip(skip);
    expect(specNextFeatures.filter((f) => f.spec !== 'next').map((f) => f.id)).toEqual(['tags.n-zero']);
    for (const id of ['next.digest-header', 'next.upload-cancel', 'next.digest-algorithm', 'next.tag-params'])
      expect(await verdict(id, ola.host), id).toMatchObject({ status: 'pass' });
    expect(await verdict('tags.n-zero', d312.host)).toMatchObject({ status: 'pass' });
  });

  it('what real registries do wrong', async (ctx) => {
    if (!ola || !d312 || !d2) return ctx.skip(skip);
    expect(await verdict('tags.n-zero', ola.host)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/dropped the connection/),
    });
    expect(await verdict('tags.n-zero', d2.host)).toMatchObject({
      status: 'fail',
      detail: 'n=0 answered 2 tags: a1, a2',
    });
    expect(await verdict('next.digest-algorithm', d312.host)).toMatchObject({
      status: 'fail',
      detail: 'an unknown digest-algorithm answered 202, not 400',
    });
    // no tag parameters in distribution: not offered, not wrong
    expect(await verdict('next.tag-params', d312.host)).toMatchObject({ status: 'unsupported' });
    expect(await verdict('next.digest-header', d312.host)).toMatchObject({ status: 'pass' });
  });

  it.for([
    [
      'next.digest-header',
      [strip('docker-content-digest', ['GET', 'HEAD'], /\/blobs\/sha256:/)],
      /Docker-Content-Digest missing/,
    ],
    [
      'next.digest-header',
      [strip('content-length', 'HEAD', /\/manifests\//)],
      /HEAD of the manifest by tag: Content-Length missing/,
    ],
    [
      'next.upload-cancel',
      [
        {
          name: 'answers DELETE of a session 202',
          method: 'DELETE',
          path: /\/blobs\/uploads\//,
          reply: { status: 202 },
        },
      ],
      /answered 202, not 204/,
    ],
    [
      'next.upload-cancel',
      [
        {
          name: 'keeps a cancelled session',
          method: 'DELETE',
          path: /\/blobs\/uploads\//,
          reply: { status: 204 },
        },
      ],
      /it is still there/,
    ],
    [
      'next.digest-algorithm',
      [
        {
          name: 'ignores digest-algorithm',
          method: 'POST',
          path: /digest-algorithm=md5000/,
          reply: { status: 202, headers: { location: '/v2/next/x/blobs/uploads/1' } },
        },
      ],
      /an unknown digest-algorithm answered 202, not 400/,
    ],
    ['next.tag-params', [strip('oci-tag', 'PUT', /\/manifests\//)], /applied without an OCI-Tag header/],
    [
      'tags.n-zero',
      [
        {
          name: 'ignores n=0',
          method: 'GET',
          path: /\/tags\/list\?n=0$/,
          reply: {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: '{"name":"x","tags":["a1"]}',
          },
        },
      ],
      /n=0 answered 1 tags/,
    ],
  ] as Array<[string, Rule[], RegExp]>)(
    '%s fails behind a rule that breaks it',
    async ([id, rules, detail], ctx) => {
      if (!ola || !d312) return ctx.skip(skip);
      // olareg for all but n=0, which it gets wrong itself: distribution 3.1.2 there
      const reg = id === 'tags.n-zero' ? d312 : ola;
      const v = await behind(reg, rules, id);
      expect(v.status, v.detail).toBe('fail');
      expect(v.detail).toMatch(detail);
    },
  );
});
