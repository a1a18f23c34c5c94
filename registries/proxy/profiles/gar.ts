// Google Artifact Registry, from REGISTRY-FACTS.
import { header, ociError } from '../rule.ts';
import { EMPTY_BLOB_DIGEST, EMPTY_CONFIG_DIGEST, MANIFEST_PATH, type Profile, REPORTED } from './common.ts';

const digestParam = (d: string) => new RegExp(`/blobs/uploads/.*[?&]digest=sha256(%3A|:)${d.slice(7)}`);

export const gar: Profile = {
  name: 'gar',
  title: 'Google Artifact Registry',
  version: 'the service as of 2026 (not versioned)',
  emulates: [
    { what: 'zero-byte blob -> 400', source: REPORTED },
    { what: 'the {} config refused', source: REPORTED },
    { what: 'manifest HEAD without Accept -> 404 (one report)', source: REPORTED },
  ],
  omits: [],
  rules: () => [
    {
      name: 'gar: zero-byte blob',
      method: 'PUT',
      path: digestParam(EMPTY_BLOB_DIGEST),
      reply: ociError(400, 'BLOB_UPLOAD_INVALID', 'zero-byte blobs are not supported'),
    },
    {
      name: 'gar: empty config refused',
      method: 'PUT',
      path: digestParam(EMPTY_CONFIG_DIGEST),
      reply: ociError(400, 'BLOB_UPLOAD_INVALID', 'config blob rejected'),
    },
    {
      name: 'gar: HEAD without Accept',
      method: 'HEAD',
      path: MANIFEST_PATH,
      when: (req) => !header(req, 'accept'),
      reply: { status: 404, headers: {} },
    },
  ],
};
