// Docker Hub, from REGISTRY-FACTS.
import { ociError } from '../rule.ts';
import { MANIFEST_PATH, noReferrers, type Profile, paginateTags, REPORTED } from './common.ts';

export const dockerhub: Profile = {
  name: 'dockerhub',
  title: 'Docker Hub',
  version: 'the service as of 2026 (not versioned)',
  emulates: [
    { what: 'no referrers API', source: REPORTED },
    { what: '100 tags a page + Link', source: REPORTED },
    { what: 'delete by digest -> 405', source: REPORTED },
    { what: 'ratelimit-* headers on answers', source: REPORTED },
  ],
  omits: [
    "push needs pull,push scope and mount needs pull on the source (auth is the registry's)",
    '429 bursts are a fault scenario, not the profile',
  ],
  rules: () => [
    noReferrers('dockerhub'),
    paginateTags(
      'dockerhub: 100 tags a page',
      100,
      (repo, n, last) => `</v2/${repo}/tags/list?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`,
    ),
    {
      name: 'dockerhub: delete by digest',
      method: 'DELETE',
      path: /\/manifests\/sha256:/,
      reply: ociError(405, 'UNSUPPORTED', 'The operation is unsupported.'),
    },
    {
      name: 'dockerhub: ratelimit headers',
      method: ['GET', 'HEAD'],
      path: MANIFEST_PATH,
      action: {
        kind: 'rewrite',
        rewrite: (a) => ({
          status: a.status,
          headers: { ...a.headers, 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '99;w=21600' },
        }),
      },
    },
  ],
};
