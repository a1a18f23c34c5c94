// Quay, from REGISTRY-FACTS. Its artifact support is an allow-list of config
// media types set by the admin; here the standard image and Helm configs plus
// kubara's fallback config type, as an admin enabling catalogs would set it.
import { ociError } from '../rule.ts';
import {
  configMediaType,
  json,
  MANIFEST_PATH,
  OCI_ARTIFACT_MANIFEST,
  type Profile,
  paginateTags,
  queryOf,
  REPORTED,
} from './common.ts';

export const QUAY_ALLOWED_CONFIGS = [
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
  'application/vnd.cncf.helm.config.v1+json',
  'application/vnd.kubara.catalog.config.v1+json',
];

export const quay: Profile = {
  name: 'quay',
  title: 'Quay',
  version: 'quay.io as of 2026 (not versioned)',
  emulates: [
    { what: '415 on the OCI artifact manifest', source: REPORTED },
    { what: '400 on config types outside the allow-list', source: REPORTED },
    { what: 'mount without from fails', source: REPORTED },
    { what: 'Link with next_page', source: REPORTED },
    { what: 'blob PUT answers Content-Type text/html', source: REPORTED },
  ],
  omits: [],
  rules: () => [
    {
      name: 'quay: artifact manifest',
      method: 'PUT',
      path: MANIFEST_PATH,
      body: (b) => json(b)?.mediaType === OCI_ARTIFACT_MANIFEST,
      reply: {
        status: 415,
        headers: { 'content-type': 'text/html' },
        body: '<html><title>415 Unsupported Media Type</title></html>',
      },
    },
    {
      name: 'quay: config type not allowed',
      method: 'PUT',
      path: MANIFEST_PATH,
      body: (b) => {
        const c = configMediaType(b);
        return c !== undefined && !QUAY_ALLOWED_CONFIGS.includes(c);
      },
      reply: ociError(400, 'MANIFEST_INVALID', 'manifest invalid: config media type not allowed'),
    },
    {
      name: 'quay: mount without from',
      method: 'POST',
      path: /\/blobs\/uploads\/\?/,
      when: (req) => queryOf(req).has('mount') && !queryOf(req).has('from'),
      reply: ociError(400, 'BLOB_UPLOAD_INVALID', 'mount requires from'),
    },
    paginateTags(
      'quay: next_page pagination',
      50,
      (repo, n, last) =>
        `</v2/${repo}/tags/list?n=${n}&next_page=${Buffer.from(last).toString('base64url')}>; rel="next"`,
    ),
    {
      name: 'quay: blob PUT text/html',
      method: 'PUT',
      path: /\/blobs\/uploads\/.*[?&]digest=/,
      action: {
        kind: 'rewrite',
        rewrite: (a) => ({
          status: a.status,
          headers: { ...a.headers, 'content-type': 'text/html; charset=utf-8' },
        }),
      },
    },
  ],
};
