// A profile's column claims only what its rules model (issue 22, 23). A profile is
// a proxy in front of a local registry, the profiles' backend; what the backend
// fails itself, the profile would fail in a cloud registry's name although nobody
// measured that there. The backend runs as a column of its own ("profile/backend"),
// and a profile cell that fails or errors where the backend's own cell fails or
// errors too becomes a skip that says so.
import type { FeatureResult } from './run-feature.ts';

export const BACKEND_ID = 'profile/backend';

const decisive = (s: string) => s === 'fail' || s === 'error' || s === 'unsupported' || s === 'fallback';

/** `rows` with each profile cell the backend fails itself turned into a skip that says so. */
export function profileClaims(rows: FeatureResult[], backendTitle: string): FeatureResult[] {
  const backend = new Map(rows.filter((r) => r.registry === BACKEND_ID).map((r) => [r.feature, r]));
  if (backend.size === 0) return rows;
  return rows.map((r) => {
    if (!r.registry.startsWith('profile/') || r.registry === BACKEND_ID || !decisive(r.status)) return r;
    const own = backend.get(r.feature);
    if (!own || !decisive(own.status)) return r;
    const { evidence: _, defects: __, ...rest } = r;
    return {
      ...rest,
      status: 'skip',
      detail: `not modelled: the profiles' backend (${backendTitle}) fails this itself (${own.status}: ${own.detail}); the profile's own ${r.status} was: ${r.detail}`,
    };
  });
}
