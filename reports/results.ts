// results.json: the one file every report is rendered from. Schema-versioned.
import { readFile } from 'node:fs/promises';
import type { FeatureResult } from '../suites/conformance/run-feature.ts';

export const SCHEMA_VERSION = 1;
export type { FeatureResult };
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
  };
  registries: RegistryInfo[];
  features: FeatureInfo[];
  results: FeatureResult[];
}

export class ResultsError extends Error {}

export function validateResults(doc: unknown, where: string): Results {
  const bad = (why: string) => new ResultsError(`${where}: ${why}`);
  if (typeof doc !== 'object' || doc === null) throw bad('not a JSON object');
  const d = doc as Partial<Results>;
  if (d.schemaVersion !== SCHEMA_VERSION)
    throw bad(`schemaVersion ${String(d.schemaVersion)} is not ${SCHEMA_VERSION}`);
  if (!d.run || typeof d.run.id !== 'string') throw bad('run metadata missing');
  if (!Array.isArray(d.registries) || !Array.isArray(d.features) || !Array.isArray(d.results))
    throw bad('registries, features and results must be lists');
  for (const r of d.results) {
    if (typeof r.registry !== 'string' || typeof r.feature !== 'string' || typeof r.status !== 'string')
      throw bad('a result row lacks registry, feature or status');
  }
  return d as Results;
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

export function needsEvidence(status: Status): boolean {
  return status === 'fail' || status === 'unsupported' || status === 'fallback' || status === 'error';
}
