// GitLab's container registry, from REGISTRY-FACTS: unknown config.mediaType or
// artifactType -> 400 MANIFEST_INVALID "unknown media type". Neither catalog form
// gets through (the fallback's config type is unknown to it too): a push must
// fail with a clear error naming the refusal.
import { ociError } from '../rule.ts';
import { configMediaType, json, MANIFEST_PATH, type Profile, REPORTED } from './common.ts';

export const GITLAB_KNOWN_CONFIGS = [
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
  'application/vnd.cncf.helm.config.v1+json',
];

export const gitlab: Profile = {
  name: 'gitlab',
  title: 'GitLab container registry',
  version: 'not pinned (the reports name no version)',
  emulates: [
    {
      what: 'unknown config.mediaType or artifactType -> 400 MANIFEST_INVALID "unknown media type"',
      source: REPORTED,
    },
  ],
  omits: [],
  rules: () => [
    {
      name: 'gitlab: unknown media type',
      method: 'PUT',
      path: MANIFEST_PATH,
      body: (b) => {
        const doc = json(b);
        if (!doc || Array.isArray(doc.manifests)) return false;
        const c = configMediaType(b);
        return typeof doc.artifactType === 'string' || (c !== undefined && !GITLAB_KNOWN_CONFIGS.includes(c));
      },
      reply: ociError(400, 'MANIFEST_INVALID', 'manifest invalid: unknown media type'),
    },
  ],
};
