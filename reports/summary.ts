// What both renderers put first (issue 15): per registry, its counts and state;
// the failures grouped by root cause; the feature groups of the matrix; and the
// throughput as median and range, said to be indicative.
import { REQUIRED_ROWS } from '../suites/conformance/official/rows.ts';
import {
  type Defect,
  evidencePath,
  type FeatureResult,
  officialDir,
  type RegistryInfo,
  type Results,
  type Status,
} from './results.ts';

export const STATUSES: Status[] = ['pass', 'fail', 'unsupported', 'fallback', 'skip', 'error'];

export interface RegistrySummary {
  info: RegistryInfo;
  counts: Record<Status, number>;
  total: number;
  /** Root causes (reports/defects.ts), however many cells each fails. */
  defects: Defect[];
}

export function registrySummaries(r: Results): RegistrySummary[] {
  const by = new Map<string, FeatureResult[]>();
  for (const c of r.results) by.set(c.registry, [...(by.get(c.registry) ?? []), c]);
  return r.registries.map((info) => {
    const rows = by.get(info.id) ?? [];
    const counts = Object.fromEntries(
      STATUSES.map((s) => [s, rows.filter((x) => x.status === s).length]),
    ) as Record<Status, number>;
    return { info, counts, total: rows.length, defects: r.defects.filter((d) => d.registry === info.id) };
  });
}

/**
 * Whether the official suite's required rows pass (the program's "certifiable"):
 * undefined where the suite did not give those rows verdicts on the registry.
 */
export function certifiable(
  r: Results,
  registry: string,
): { ok: boolean; failing: string[]; modelled: boolean } | undefined {
  const rows = r.results.filter((x) => x.registry === registry && REQUIRED_ROWS.has(x.feature));
  if (rows.length < REQUIRED_ROWS.size || rows.every((x) => x.status === 'skip' || x.status === 'error'))
    return undefined;
  const failing = rows.filter((x) => x.status !== 'pass').map((x) => x.feature);
  // a profile's verdict is its rules' model on the backend, never a measurement of the service
  const modelled = r.registries.find((x) => x.id === registry)?.provider === 'proxy';
  return { ok: failing.length === 0, failing, modelled };
}

export interface DefectGroup {
  id: string;
  title: string;
  level: string;
  spec: string;
  /** One registry's words for it. */
  example: string;
  clients?: string[];
  /** The same root cause on each registry that has it. */
  defects: Defect[];
}

/**
 * "Defects" (issue 22): one entry per root cause across registries. A check's defect
 * is one cause where the registries' answers say the same (URLs, digests and numbers
 * aside); an official-suite defect is one per case group.
 */
export function defectGroups(r: Results): DefectGroup[] {
  const groups = new Map<string, DefectGroup>();
  for (const d of r.defects) {
    // the registry's words up to the first ": " (what follows is its own text: a body, a path)
    const key = d.id.startsWith('official:') ? d.id : `${d.id}\u0000${causeOf(d.detail.split(': ')[0]!)}`;
    const g = groups.get(key) ?? {
      id: d.id,
      title: d.title,
      level: d.level,
      spec: d.spec,
      example: d.detail,
      ...(d.clients ? { clients: d.clients } : {}),
      defects: [],
    };
    g.defects.push(d);
    groups.set(key, g);
  }
  const rank = (l: string) => ['MUST', 'SHOULD', 'MAY', 'workflow', 'unknown'].indexOf(l);
  return [...groups.values()].sort(
    (a, b) =>
      b.defects.length - a.defects.length || rank(a.level) - rank(b.level) || a.id.localeCompare(b.id),
  );
}

/** Where a defect's evidence is, relative to the report folder. */
export function defectLink(d: Defect): string {
  return d.id.startsWith('official:')
    ? `${officialDir(d.registry)}/report.html`
    : evidencePath(d.registry, d.id);
}

/** The reason with what differs between occurrences of one cause taken out: URLs, digests, ids, numbers. */
export function causeOf(detail: string): string {
  return detail
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\b(sha256|sha512):[0-9a-f]{8,}/g, '<digest>')
    .replace(/\b[0-9a-f]{6,}\b/g, '<id>')
    .replace(/\b\d+(\.\d+)*\b/g, '#')
    .slice(0, 200);
}

export interface FailureGroup {
  status: Status;
  cause: string;
  /** One real reason, as it was said. */
  example: string;
  cells: FeatureResult[];
}

/**
 * Cells grouped by status and cause, largest group first: error cells (the harness
 * broke, or setup failed: no defect of the registry), and any fail cell no defect
 * explains.
 */
export function failureGroups(r: Results): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const c of r.results) {
    if (c.status !== 'error' && !(c.status === 'fail' && !c.defects?.length && !c.lacks?.length)) continue;
    const cause = causeOf(c.detail);
    const key = `${c.status}\u0000${cause}`;
    const g = groups.get(key) ?? { status: c.status, cause, example: c.detail, cells: [] };
    g.cells.push(c);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) =>
    a.status === b.status ? b.cells.length - a.cells.length : a.status === 'error' ? -1 : 1,
  );
}

/** The matrix's groups, in this order, by feature area. */
export const GROUPS: Array<{ name: string; areas: string[] }> = [
  {
    name: 'OCI distribution spec (ocicat)',
    areas: ['push', 'pull', 'manifest', 'referrers', 'tags', 'delete', 'errors'],
  },
  { name: 'Official OCI conformance suite', areas: ['official'] },
  { name: 'Catalog workflow', areas: ['catalog'] },
  { name: 'Interop and artifacts', areas: ['interop', 'artifact'] },
  { name: 'Auth', areas: ['auth'] },
  { name: 'Fault scenarios', areas: ['faults'] },
];

export function groupOf(area: string): string {
  return GROUPS.find((g) => g.areas.includes(area))?.name ?? 'Other';
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

function spread(values: number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return {
    median: v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2,
    min: v[0]!,
    max: v.at(-1)!,
    n: v.length,
  };
}

/** Push and pull MiB/s over the registries that measured them. */
export function throughput(r: Results): { push?: Spread; pull?: Spread } {
  const tp = r.registries.flatMap((x) => (x.throughput ? [x.throughput] : []));
  const push = spread(tp.map((t) => t.pushMiBps));
  const pull = spread(tp.map((t) => t.pullMiBps));
  return { ...(push ? { push } : {}), ...(pull ? { pull } : {}) };
}

export const THROUGHPUT_NOTE =
  'measured during the run, beside other checks, on a shared machine: indicative only (npm run bench is where speed is measured)';

export function formatSpread(s: Spread): string {
  return `${s.median.toFixed(0)} MiB/s median (${s.min.toFixed(0)}-${s.max.toFixed(0)}, ${s.n} registries)`;
}
