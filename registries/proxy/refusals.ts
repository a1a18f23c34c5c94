// Registry refusals of the kubara artifact form, as REGISTRY-FACTS records them.
import { ociError, type Rule } from './rule.ts';

const EMPTY_CONFIG = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
const hasArtifactType = (b: Buffer) => {
  try {
    return typeof (JSON.parse(b.toString()) as { artifactType?: unknown }).artifactType === 'string';
  } catch {
    return false;
  }
};

/** GitLab: unknown config.mediaType / artifactType -> 400 MANIFEST_INVALID "unknown media type". */
export const rejectArtifactTypeGitLab: Rule = {
  name: 'gitlab: artifactType refused',
  method: 'PUT',
  path: /\/manifests\//,
  body: hasArtifactType,
  reply: ociError(400, 'MANIFEST_INVALID', 'manifest invalid: unknown media type'),
};

/** Quay: media types outside its allow-list -> 415. */
export const rejectArtifactTypeQuay: Rule = {
  name: 'quay: artifactType refused (415)',
  method: 'PUT',
  path: /\/manifests\//,
  body: hasArtifactType,
  reply: {
    status: 415,
    headers: { 'content-type': 'text/html' },
    body: '<html><title>415 Unsupported Media Type</title></html>',
  },
};

/** GAR has rejected "{}" as a config blob. */
export const rejectEmptyConfigGar: Rule = {
  name: 'gar: empty config refused',
  method: 'PUT',
  path: new RegExp(`[?&]digest=sha256(%3A|:)${EMPTY_CONFIG.slice(7)}`),
  reply: ociError(400, 'BLOB_UPLOAD_INVALID', 'config blob rejected'),
};

/** ECR (as Zarf saw it): UNSUPPORTED on the manifest PUT. */
export const rejectArtifactTypeEcr: Rule = {
  name: 'ecr: artifactType unsupported',
  method: 'PUT',
  path: /\/manifests\//,
  body: hasArtifactType,
  reply: ociError(400, 'UNSUPPORTED', 'The operation is unsupported.'),
};
