// Manifest size limits. distribution-spec: registries SHOULD accept manifests of
// at least 4 MiB, so we never push more; we read up to 8 MiB to tolerate
// registries that store larger ones.
export const MAX_PUSH_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_PULL_MANIFEST_BYTES = 8 * 1024 * 1024;
