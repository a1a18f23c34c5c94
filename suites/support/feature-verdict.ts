// One conformance feature's verdict on one plain-HTTP registry (or a proxy in
// front of one), for the suites that show a check passing on a registry that is
// right and failing behind a rule that breaks it.
import type { Feature } from '../conformance/feature.ts';
import { runFeature } from '../conformance/run-feature.ts';
import type { Target } from '../conformance/target.ts';

export function plainTarget(host: string, id: string, namespace: string): Target {
  return {
    id,
    title: id,
    name: id,
    version: '',
    provider: 'process',
    auth: 'anonymous',
    host,
    plainHttp: true,
    namespace,
  };
}

export async function verdictOf(
  features: Feature[],
  id: string,
  host: string,
  namespace: string,
): Promise<{ status: string; detail: string; evidence: string }> {
  const f = features.find((x) => x.id === id);
  if (!f) throw new Error(`no feature ${id}`);
  const t = plainTarget(host, 'registry', namespace);
  const r = await runFeature(f, { targets: [t] }, t);
  return { status: r.status, detail: r.detail, evidence: (r.evidence ?? []).join('\n') };
}
