// Is this error a registry refusing the kubara artifact form? Registries that do
// not take artifactType or the empty config answer the manifest PUT with 400
// MANIFEST_INVALID ("unknown media type", GitLab), 400 UNSUPPORTED (ECR, as Zarf
// saw), 415 (Quay), or refuse the `{}` config blob itself (GAR). REGISTRY-FACTS.
import { EMPTY_JSON } from '../oci/media-types.ts';
import { isRegistryError, type RegistryError } from '../remote/registry-error.ts';

function registryErrorIn(e: unknown): RegistryError | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (isRegistryError(cur)) return cur;
  }
  return undefined;
}

export function artifactRefusal(e: unknown): string | undefined {
  const r = registryErrorIn(e);
  if (!r) return undefined;
  const onManifest = /\/manifests\//.test(r.url);
  const onEmptyConfig =
    r.url.includes(encodeURIComponent(EMPTY_JSON.digest)) || r.url.includes(EMPTY_JSON.digest);
  if (!onManifest && !onEmptyConfig) return undefined;
  const codes = r.errors.map((x) => x.code);
  const manifestCodes = ['MANIFEST_INVALID', 'UNSUPPORTED', 'UNKNOWN'];
  const refused =
    r.status === 415 ||
    (r.status === 400 && onEmptyConfig) ||
    (r.status === 400 && (codes.length === 0 || codes.some((c) => manifestCodes.includes(c))));
  if (!refused) return undefined;
  return `${r.status}${codes.length ? ` ${codes.join(', ')}` : ''}${onEmptyConfig && !onManifest ? ' on the empty config' : ''}`;
}
