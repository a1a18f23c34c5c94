// Run one feature against one registry and turn whatever happens into a result:
// a RegistryWrong or a registry answering with an unexpected error is a fail
// (the registry is wrong); anything else thrown is an error (the harness broke,
// or the network did). The request log of the run, redacted by the client, is
// the evidence for the cell.

import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OcicatError } from '../../harness/errors.ts';
import { credentialSecrets, scrub } from '../../harness/remote/redact.ts';
import { isRegistryError } from '../../harness/remote/registry-error.ts';
import { type Feature, makeContext, RegistryWrong, type Status } from './feature.ts';
import { runTmp } from './run-tmp.ts';
import type { Target, Targets } from './target.ts';
import { journalWrites } from './write-journal.ts';

export interface FeatureResult {
  registry: string;
  feature: string;
  status: Status;
  durationMs: number;
  detail: string;
  /** Requests and answers that decided the status (secrets redacted), for fail/unsupported/fallback/error. */
  evidence?: string[];
  metrics?: Record<string, number>;
  /** The defects behind a non-pass cell (reports/defects.ts): ids in results.json "defects". */
  defects?: string[];
  /** ocicat checks measured unsupported that explain an official row's failing cases. */
  lacks?: string[];
  /** Schema 1 only: an official row that ocicat's check of the same data set contradicted. */
  disagrees?: { feature: string; status: Status; explainedBy?: string[] };
}

/** Log entries kept per cell: an exchange is one entry (its line, heads and first KiB of bodies). */
const EVIDENCE_LINES = 40;
const FAILURE_CODES = new Set([
  'DIGEST_MISMATCH',
  'SIZE_MISMATCH',
  'PROTOCOL',
  'INVALID_MANIFEST',
  'REGISTRY_ERROR',
  'NOT_FOUND',
  'DENIED',
  'UNAUTHORIZED',
  'UPLOAD_FAILED',
]);

function classify(e: unknown): { status: Status; detail: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RegistryWrong || isRegistryError(e)) return { status: 'fail', detail: message };
  if (e instanceof OcicatError && FAILURE_CODES.has(e.code)) return { status: 'fail', detail: message };
  return { status: 'error', detail: message };
}

export async function runFeature(feature: Feature, targets: Targets, target: Target): Promise<FeatureResult> {
  journalWrites();
  const log: string[] = [];
  const tmp = await mkdtemp(join(runTmp(), `ocicat-conf-${feature.id.replace(/\W/g, '-')}-`));
  const ctx = makeContext(targets, target, (l) => log.push(l), tmp);
  const started = performance.now();
  let status: Status;
  let detail: string;
  let metrics: Record<string, number> | undefined;
  try {
    const outcome = await feature.run(ctx);
    ({ status, detail, metrics } = outcome);
  } catch (e) {
    ({ status, detail } = classify(e));
  } finally {
    await ctx.client.close();
    await rm(tmp, { recursive: true, force: true });
  }
  const durationMs = Math.round(performance.now() - started);
  const decisive =
    status === 'fail' || status === 'unsupported' || status === 'fallback' || status === 'error';
  // Whatever a registry echoed or a peer tool printed: the target's secrets, in any
  // of their forms (base64 of user:password, URL-encoded...), never reach a report.
  const c = target.credential;
  const secrets = credentialSecrets(c);
  const clean = (t: string) => scrub(t, secrets);
  return {
    registry: target.id,
    feature: feature.id,
    status,
    durationMs,
    detail: clean(detail),
    ...(decisive ? { evidence: log.slice(-EVIDENCE_LINES).map(clean) } : {}),
    ...(metrics ? { metrics } : {}),
  };
}
