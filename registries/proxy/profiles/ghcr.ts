// GitHub Container Registry, from REGISTRY-FACTS.
import { ociError } from '../rule.ts';
import { noReferrers, noSubjectHeader, type Profile, REPORTED, UPLOAD_PATH } from './common.ts';

const PATCH_CAP = 4 * 1024 * 1024;

export const ghcr: Profile = {
  name: 'ghcr',
  title: 'GitHub Container Registry',
  version: 'the service as of 2026 (not versioned)',
  emulates: [
    { what: 'no referrers API (404, no OCI-Subject)', source: REPORTED },
    { what: 'delete -> 405 UNSUPPORTED', source: REPORTED },
    { what: '4 MiB cap per PATCH (416 beyond)', source: REPORTED },
  ],
  omits: ["anonymous token via GET /token?scope=...&service=ghcr.io (auth is the registry's)"],
  rules: () => [
    noReferrers('ghcr'),
    noSubjectHeader('ghcr'),
    {
      name: 'ghcr: delete unsupported',
      method: 'DELETE',
      reply: ociError(405, 'UNSUPPORTED', 'The operation is unsupported.'),
    },
    {
      name: 'ghcr: PATCH over 4 MiB',
      method: 'PATCH',
      path: UPLOAD_PATH,
      when: (req) => Number(req.headers['content-length'] ?? 0) > PATCH_CAP,
      reply: ociError(416, 'BLOB_UPLOAD_INVALID', 'chunk too large'),
    },
  ],
};
