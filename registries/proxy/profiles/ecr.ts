// Amazon ECR, from REGISTRY-FACTS.
import { ociError, type Rule } from '../rule.ts';
import { MANIFEST_PATH, type Profile, queryOf, REPORTED, TAGS_PATH, UPLOAD_PATH } from './common.ts';

/** At most `perSecond` matching requests in any second; the rest get 429. */
function rateLimit(name: string, perSecond: number, base: Omit<Rule, 'name' | 'reply' | 'action'>): Rule {
  const times: number[] = [];
  return {
    ...base,
    name,
    when: (req) => {
      if (base.when && !base.when(req)) return false;
      const now = Date.now();
      while (times.length && now - times[0]! >= 1000) times.shift();
      if (times.length >= perSecond) return true;
      times.push(now);
      return false;
    },
    reply: ociError(429, 'TOOMANYREQUESTS', 'Rate exceeded'),
  };
}

export const ecr: Profile = {
  name: 'ecr',
  title: 'Amazon ECR',
  version: 'the service as of 2026 (not versioned)',
  emulates: [
    { what: 'PATCH answers 201 not 202, and Range stops advancing', source: REPORTED },
    { what: 'n > 1000 on the tag list -> 400 UNSUPPORTED', source: REPORTED },
    { what: '10 manifest PUTs a second, then 429', source: REPORTED },
    { what: 'artifactType refused with 400 UNSUPPORTED (as Zarf saw)', source: REPORTED },
  ],
  omits: [
    "Basic challenge with user AWS (auth is the registry's)",
    'no repository auto-create',
    'mount 201 only for blobs a manifest references',
  ],
  rules: () => [
    {
      name: 'ecr: PATCH answers 201, Range stuck',
      method: 'PATCH',
      path: UPLOAD_PATH,
      action: {
        kind: 'rewrite',
        rewrite: (a) => (a.status === 202 ? { status: 201, headers: { ...a.headers, range: '0-0' } } : a),
      },
    },
    {
      name: 'ecr: n > 1000 unsupported',
      method: 'GET',
      path: TAGS_PATH,
      when: (req) => Number(queryOf(req).get('n') ?? 0) > 1000,
      reply: ociError(
        400,
        'UNSUPPORTED',
        "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'",
      ),
    },
    rateLimit('ecr: manifest PUT rate', 10, { method: 'PUT', path: MANIFEST_PATH }),
    {
      name: 'ecr: artifactType unsupported',
      method: 'PUT',
      path: MANIFEST_PATH,
      body: (b) => b.includes('"artifactType"'),
      reply: ociError(400, 'UNSUPPORTED', 'The operation is unsupported.'),
    },
  ],
};
