// Harbor 2.15.2, as measured (REGISTRY-FACTS "Harbor 2.15.2": core, registry,
// PostgreSQL, Redis; no nginx), in front of distribution. Each rule names its
// source; what a proxy in front of distribution cannot be is in `omits`.
import { createHash } from 'node:crypto';
import { keepsEmptyJsonBlob } from '../blob-delete-quirks.ts';
import { header, ociError, type Reply, type Rule } from '../rule.ts';
import { json, MANIFEST_PATH, type Profile, queryOf, REFERRERS_PATH, repoOf } from './common.ts';

export const HARBOR_PROJECTS = ['library', 'catalogs'];

const projectOf = (path: string) => /^\/v2\/([^/]+)\//.exec(path)?.[1] ?? '';
const inMissingProject = (path: string) =>
  path.split('/').length > 4 && !HARBOR_PROJECTS.includes(projectOf(path));
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

interface Referrer {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const flat = (h: Record<string, string | string[] | undefined>) =>
  Object.fromEntries(
    Object.entries(h)
      .filter(([k, v]) => v !== undefined && k !== 'connection' && k !== 'transfer-encoding')
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v as string)]),
  );

export const harbor: Profile = {
  name: 'harbor',
  title: 'Harbor 2.15',
  version: '2.15.2',
  namespace: 'catalogs/conformance',
  emulates: [
    {
      what: 'a push to a project that does not exist: 401 "project … not found", empty WWW-Authenticate',
      source: 'measured 2.15.2',
    },
    { what: 'a missing manifest: 404 with code NOT_FOUND (not MANIFEST_UNKNOWN)', source: 'measured 2.15.2' },
    { what: 'DELETE of a manifest by tag: 400 UNSUPPORTED; by digest: 202', source: 'measured 2.15.2' },
    {
      what: 'a single monolithic POST (?digest= with the body): 202, not 201 (modelled as the start of a session)',
      source: 'measured 2.15.2',
    },
    {
      what: 'a sha512 blob: accepted, then reported under a sha256 digest; a manifest by sha512 digest: 404',
      source: 'measured 2.15.2 (REGISTRY-FACTS "Seen here on 2026-12-01")',
    },
    {
      what: 'an out-of-order chunk (PATCH past the bytes received): accepted with 202',
      source: 'measured 2.15.2 (REGISTRY-FACTS "Seen here on 2026-12-01")',
    },
    {
      what: 'DELETE of the empty JSON blob {} (every catalog config) while manifests of the repository use it: 202, and a HEAD right after answers 200',
      source: 'measured 2.15.2 (REGISTRY-FACTS "Seen here on 2026-12-01")',
    },
    {
      what: 'the referrers API: an OCI index per subject (empty for unknown digests), ?artifactType= filters and sets OCI-Filters-Applied; OCI-Subject on the PUT of a manifest with a subject',
      source: 'measured 2.15.2',
    },
    {
      what: 'mount from a repository in a missing project: 401',
      source: 'reported (Harbor issues), before 2.15',
    },
  ],
  omits: [
    'auth: Bearer realm <scheme>://<host>/service/token, service harbor-registry, a GET-only token endpoint that answers bad credentials with an anonymous token after 1.5 s, robot accounts (the backing registry does the auth)',
    '/v2/_catalog only for a system admin (the backing answers everyone)',
    'repositories emptied by deleting their last manifest stay listed until Harbor API deletes them (there is no Harbor API here)',
    'referrers of manifests pushed before the proxy started, or by-passing it',
  ],
  rules: () => {
    // subject digest -> referrers, as the PUTs through the proxy declared them
    const referrers = new Map<string, Referrer[]>();
    const putWithSubject = (body: Buffer) => {
      const s = json(body)?.subject as { digest?: unknown } | undefined;
      return typeof s?.digest === 'string';
    };
    const rules: Rule[] = [
      {
        name: 'harbor: project does not exist (writes)',
        method: ['POST', 'PUT', 'PATCH', 'DELETE'],
        when: (req) => inMissingProject(req.path),
        reply: (req) => ({
          ...ociError(401, 'UNAUTHORIZED', `project ${projectOf(req.path)} not found: not found`),
          headers: { 'content-type': 'application/json', 'www-authenticate': '' },
        }),
      },
      {
        name: 'harbor: project does not exist (reads)',
        method: ['GET', 'HEAD'],
        when: (req) => inMissingProject(req.path),
        reply: ociError(404, 'NOT_FOUND', 'project not found'),
      },
      {
        name: 'harbor: DELETE of a manifest by tag is UNSUPPORTED',
        method: 'DELETE',
        path: MANIFEST_PATH,
        when: (req) => !/\/manifests\/[a-z0-9]+:[a-f0-9]+$/.test(req.path),
        reply: ociError(400, 'UNSUPPORTED', 'The operation is unsupported.'),
      },
      {
        name: 'harbor: mount from a missing project',
        method: 'POST',
        path: /\/blobs\/uploads\/\?/,
        when: (req) => {
          const from = queryOf(req).get('from');
          return from !== null && !HARBOR_PROJECTS.includes(from.split('/')[0] ?? '');
        },
        reply: ociError(401, 'UNAUTHORIZED', 'unauthorized to access repository'),
      },
      {
        // 202 with a session to PUT the bytes to, as a POST without a body gets: the
        // body is not taken (a 202 whose Location is the stored blob, as the backend's
        // 201 has it, sent the official suite's PUT to the blob itself: 405)
        name: 'harbor: monolithic POST answers 202',
        method: 'POST',
        path: /\/blobs\/uploads\/\?(.*&)?digest=/,
        reply: async (req, upstream): Promise<Reply> => {
          const url = new URL(req.path, 'http://x');
          url.searchParams.delete('digest');
          const up = await upstream('POST', `${url.pathname}${url.search}`, { 'content-length': '0' });
          return { status: up.status, headers: flat(up.headers), body: up.body };
        },
      },
      {
        name: 'harbor: indexes the subject of a manifest and says so (OCI-Subject)',
        method: 'PUT',
        path: MANIFEST_PATH,
        body: putWithSubject,
        action: {
          kind: 'rewrite',
          rewrite: (a, req) => {
            if (a.status !== 201 || !req.body) return a;
            const m = json(req.body)!;
            const subject = (m.subject as { digest: string }).digest;
            const ref: Referrer = {
              mediaType: String(m.mediaType ?? header(req, 'content-type')),
              digest: `sha256:${createHash('sha256').update(req.body).digest('hex')}`,
              size: req.body.length,
              ...(typeof m.artifactType === 'string'
                ? { artifactType: m.artifactType }
                : typeof (m.config as { mediaType?: unknown })?.mediaType === 'string'
                  ? { artifactType: (m.config as { mediaType: string }).mediaType }
                  : {}),
              ...(m.annotations ? { annotations: m.annotations as Record<string, string> } : {}),
            };
            const key = `${repoOf(req.path)}@${subject}`;
            const list = (referrers.get(key) ?? []).filter((r) => r.digest !== ref.digest);
            referrers.set(key, [...list, ref]);
            return { ...a, headers: { ...a.headers, 'oci-subject': subject } };
          },
        },
      },
      {
        name: 'harbor: referrers API',
        method: 'GET',
        path: REFERRERS_PATH,
        reply: (req): Reply => {
          const digest = /\/referrers\/([^/?]+)/.exec(req.path)![1]!;
          const key = `${repoOf(req.path.replace('/referrers/', '/manifests/'))}@${decodeURIComponent(digest)}`;
          const type = queryOf(req).get('artifactType');
          const all = referrers.get(key) ?? [];
          const manifests = type === null ? all : all.filter((r) => r.artifactType === type);
          return {
            status: 200,
            headers: {
              'content-type': OCI_INDEX,
              ...(type === null ? {} : { 'oci-filters-applied': 'artifactType' }),
            },
            body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }),
          };
        },
      },
      {
        name: 'harbor: a missing manifest is NOT_FOUND',
        method: ['GET', 'HEAD'],
        path: MANIFEST_PATH,
        reply: async (req, upstream): Promise<Reply> => {
          const accept = header(req, 'accept');
          const up = await upstream(req.method, req.path, accept ? { accept } : {});
          if (up.status === 404) return ociError(404, 'NOT_FOUND', `artifact ${repoOf(req.path)} not found`);
          return { status: up.status, headers: flat(up.headers), body: up.body };
        },
      },
    ];
    // Harbor's own measured defects decide before the rest, after a missing project
    const project = rules.filter((r) => r.name.startsWith('harbor: project does not exist'));
    return [
      ...project,
      ...harborDefects(),
      ...keepsEmptyJsonBlob(),
      ...rules.filter((r) => !project.includes(r)),
    ];
  },
};

const sessionOf = (path: string) => path.split('?')[0]!;

/** Harbor's own defects, as the official suite and ocicat measured them on a real 2.15.2. */
function harborDefects(): Rule[] {
  const received = new Map<string, number>(); // upload session -> bytes the registry said it has
  return [
    {
      name: 'harbor: a sha512 blob is reported under a sha256 digest',
      method: 'PUT',
      path: /\/blobs\/uploads\/.*[?&]digest=sha512(%3A|:)/i,
      body: () => true,
      action: {
        kind: 'rewrite',
        rewrite: (a, req) =>
          a.status === 201 && req.body
            ? {
                ...a,
                headers: {
                  ...a.headers,
                  'docker-content-digest': `sha256:${createHash('sha256').update(req.body).digest('hex')}`,
                },
              }
            : a,
      },
    },
    {
      name: 'harbor: a manifest by sha512 digest is not found',
      method: ['GET', 'HEAD'],
      path: /\/manifests\/sha512:/,
      reply: ociError(404, 'NOT_FOUND', 'artifact not found'),
    },
    {
      name: 'harbor: accepts an out-of-order chunk with 202',
      method: 'PATCH',
      path: /\/blobs\/uploads\//,
      when: (req) => {
        const start = /^(\d+)-/.exec(String(header(req, 'content-range') ?? ''))?.[1];
        return start !== undefined && Number(start) > (received.get(sessionOf(req.path)) ?? 0);
      },
      reply: (req) => ({
        status: 202,
        headers: {
          location: req.path,
          range: `0-${/-(\d+)$/.exec(String(header(req, 'content-range')))?.[1] ?? '0'}`,
          'content-length': '0',
        },
      }),
    },
    {
      name: 'harbor: (the bytes an upload session holds, for the rule above)',
      method: 'PATCH',
      path: /\/blobs\/uploads\//,
      action: {
        kind: 'rewrite',
        rewrite: (a, req) => {
          const end = /-(\d+)$/.exec(String(a.headers.range ?? ''))?.[1];
          if (a.status === 202 && end !== undefined) {
            const next = String(a.headers.location ?? req.path);
            received.set(sessionOf(new URL(next, 'http://x').pathname), Number(end) + 1);
          }
          return a;
        },
      },
    },
  ];
}
