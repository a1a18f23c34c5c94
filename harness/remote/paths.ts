// Endpoint paths, distribution-spec 1.1 "Endpoints" table (end-1 .. end-13).
const enc = (name: string) => name; // names are validated by harness/oci/reference.ts, no escaping needed

export const blobPath = (name: string, digest: string) => `/v2/${enc(name)}/blobs/${digest}`;
export const uploadsPath = (name: string) => `/v2/${enc(name)}/blobs/uploads/`;
export const manifestPath = (name: string, reference: string) => `/v2/${enc(name)}/manifests/${reference}`;
export const tagsPath = (name: string) => `/v2/${enc(name)}/tags/list`;
export const referrersPath = (name: string, digest: string) => `/v2/${enc(name)}/referrers/${digest}`;

/** Add query parameters to a URL or path that may already carry some (upload locations). */
export function withQuery(location: string, params: Record<string, string>): string {
  const absolute = /^https?:\/\//.test(location);
  const u = new URL(location, 'http://placeholder.invalid');
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return absolute ? u.toString() : u.pathname + u.search;
}
