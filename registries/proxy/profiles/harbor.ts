// Harbor, from REGISTRY-FACTS: repositories live under an existing project,
// OCI-Subject is missing before 2.9, a mount from a missing repository answers 401.
import { ociError } from '../rule.ts';
import { noSubjectHeader, type Profile, queryOf } from './common.ts';

export const HARBOR_PROJECTS = ['library', 'catalogs'];

export const harbor: Profile = {
  name: 'harbor',
  title: 'Harbor 2.8',
  namespace: 'catalogs/conformance',
  emulates: [
    'a repository must start with an existing project',
    'OCI-Subject missing before 2.9',
    'mount from a missing repository -> 401',
  ],
  omits: [
    "Bearer realm <host>/service/token, service harbor-registry, GET-only token endpoint, robot users (auth is the registry's)",
    'referrers API of 2.8 (distribution behind the proxy has none)',
  ],
  rules: () => [
    {
      name: 'harbor: project does not exist',
      path: /^\/v2\/[^/]+\//,
      when: (req) => {
        const project = /^\/v2\/([^/]+)\//.exec(req.path)?.[1] ?? '';
        return !HARBOR_PROJECTS.includes(project) && req.path.split('/').length > 4;
      },
      reply: ociError(404, 'NAME_UNKNOWN', 'project not found'),
    },
    noSubjectHeader('harbor'),
    {
      name: 'harbor: mount from a missing repository',
      method: 'POST',
      path: /\/blobs\/uploads\/\?/,
      when: (req) => {
        const from = queryOf(req).get('from');
        return from !== null && !HARBOR_PROJECTS.includes(from.split('/')[0] ?? '');
      },
      reply: ociError(401, 'UNAUTHORIZED', 'unauthorized to access repository'),
    },
  ],
};
