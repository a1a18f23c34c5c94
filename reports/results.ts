// results.json: the one file every report is rendered from. Schema-versioned.
import { readFile } from 'node:fs/promises';
import type { RegistrySetup } from '../registries/types.ts';
import type { FeatureResult } from '../suites/conformance/run-feature.ts';
import { analyse, type Defect, type Disagreement, type FailedCase } from './defects.ts';

/** 2: defects and disagreements (issue 22). A schema 1 file is read with them derived. */
export const SCHEMA_VERSION = 2;
export const READS = [1, 2];
export type { Defect, Disagreement, FeatureResult };
export type Status = FeatureResult['status'];

export interface RegistryInfo {
  id: string;
  title: string;
  name: string;
  version: string;
  provider: string;
  auth: string;
  profile?: string;
  /**
   * "unavailable": this machine cannot provide it (a skip, `reason` says why);
   * "error": it should have been tested and could not be set up (refused
   * credentials, unreachable, TLS, namespace; `reason` with a hint).
   */
  state: 'ran' | 'unavailable' | 'error';
  /** A registry the run did not start: what its clean-up deleted, and what it could not. */
  cleanup?: { deleted: number; refused: string[]; left: string[] };
  reason?: string;
  throughput?: { pushMiBps: number; pullMiBps: number };
  /** How the run started it (a vendor's submission README reproduces it). */
  setup?: RegistrySetup;
  /** The official suite as it ran against it: its module@version and OCI_* settings. */
  official?: { suite: string; env: Record<string, string> };
}

export interface FeatureInfo {
  id: string;
  title: string;
  area: string;
  optional: boolean;
}

export interface Results {
  schemaVersion: typeof SCHEMA_VERSION;
  run: {
    id: string;
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    ocicat: string;
    node: string;
    platform: string;
    /** Shards merged into this run (ids), when it is a merge. */
    shards?: string[];
    /** The spec measured against (`--spec`): 1.1 unless next. */
    spec?: '1.1' | 'next';
  };
  registries: RegistryInfo[];
  features: FeatureInfo[];
  results: FeatureResult[];
  /** One root cause on one registry each (reports/defects.ts). */
  defects: Defect[];
  /** The same case of the official suite and ocicat with opposite verdicts. */
  disagreements: Disagreement[];
}

export class ResultsError extends Error {}

export function validateResults(doc: unknown, where: string): Results {
  const bad = (why: string) => new ResultsError(`${where}: ${why}`);
  if (typeof doc !== 'object' || doc === null) throw bad('not a JSON object');
  const d = doc as Omit<Partial<Results>, 'schemaVersion'> & { schemaVersion?: unknown };
  if (!READS.includes(d.schemaVersion as number))
    throw bad(
      `schemaVersion ${String(d.schemaVersion)}: this ocicat reads schema ${READS.join(' and ')}${typeof d.schemaVersion === 'number' && d.schemaVersion > SCHEMA_VERSION ? ' (a newer ocicat wrote it: upgrade ocicat)' : ''}`,
    );
  if (!d.run || typeof d.run.id !== 'string') throw bad('run metadata missing');
  if (!Array.isArray(d.registries) || !Array.isArray(d.features) || !Array.isArray(d.results))
    throw bad('registries, features and results must be lists');
  for (const r of d.results) {
    if (typeof r.registry !== 'string' || typeof r.feature !== 'string' || typeof r.status !== 'string')
      throw bad('a result row lacks registry, feature or status');
  }
  if (d.schemaVersion === 1) return upgradeV1(d as unknown as Results);
  if (!Array.isArray(d.defects) || !Array.isArray(d.disagreements))
    throw bad('defects and disagreements must be lists');
  return d as Results;
}

/**
 * A schema 1 run: its official rows' evidence lists their failing test cases (up
 * to 30 each); the defects are derived from those and the failing ocicat cells.
 */
function upgradeV1(r: Results): Results {
  const cases = new Map<string, FailedCase[]>();
  for (const x of r.results) {
    if (!x.feature.startsWith('oci.') || x.status !== 'fail') continue;
    const ev = x.evidence ?? [];
    const at = ev.indexOf('failing test cases:');
    if (at < 0) continue;
    const list = cases.get(x.registry) ?? [];
    for (const name of ev.slice(at + 1))
      if (!/^ocicat's /.test(name) && !name.startsWith('  ')) list.push({ name, status: 'fail' });
    cases.set(x.registry, list);
  }
  const rows = r.results.map(({ disagrees: _, ...rest }) => rest);
  const a = analyse(rows, cases, r.features, (reg) => `${officialDir(reg)}/report.html`);
  return {
    ...r,
    schemaVersion: SCHEMA_VERSION,
    results: a.rows,
    defects: a.defects,
    disagreements: a.disagreements,
  };
}

export async function readResults(path: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ResultsError(
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ResultsError(`${path}: not JSON`);
  }
  return validateResults(doc, path);
}

export function cellOf(r: Results, registry: string, feature: string): FeatureResult | undefined {
  return r.results.find((x) => x.registry === registry && x.feature === feature);
}

/** A file-system-safe name for a registry id (evidence files, anchors). */
/** A file or anchor name: no separator, no leading dot (a results file's ".." id stays inside). */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\./, '_');
}

export function evidencePath(registry: string, feature: string): string {
  return `evidence/${slug(registry)}/${slug(feature)}.txt`;
}

/** Where a registry's official-suite reports go, relative to the report folder. */
export function officialDir(registry: string): string {
  return `evidence/${slug(registry)}/official`;
}

export function needsEvidence(status: Status): boolean {
  return status === 'fail' || status === 'unsupported' || status === 'fallback' || status === 'error';
}
