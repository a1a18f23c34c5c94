// The official OCI conformance suite run against one registry of the run, as a
// peer (issue 13): configured by environment (REGISTRY-FACTS "The official OCI
// conformance suite"), in repositories of its own below the run's namespace, with
// the registry's credentials (in the environment, never on a command line) and
// TLS settings. Its results.yaml becomes rows; its report.html, scrubbed of the
// registry's secrets, is the evidence. A suite that is missing, crashes or writes
// no results gives error rows with the reason: never a skip that looks fine.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { credentialSecrets, scrub } from '../../../harness/remote/redact.ts';
import { recordWrite, type WriteRecord, writeOf } from '../../../harness/remote/write-log.ts';
import PINS from '../../../registries/go-tools.json' with { type: 'json' };
import { findTool } from '../../../registries/tools.ts';
import type { FeatureResult } from '../run-feature.ts';
import { runTmp } from '../run-tmp.ts';
import type { Target } from '../target.ts';
import { type CaseVerdict, classifyCase, junitCases, unescapeXml } from './cases.ts';
import type { Switch } from './probe.ts';
import { OFF_BY_DEFAULT, OFFICIAL_APIS, OFFICIAL_DATA, OFFICIAL_FEATURES, officialId } from './rows.ts';

const TIMEOUT_MS = 120_000;

export interface OfficialRun {
  rows: FeatureResult[];
  /** Every test case with its verdict, a failing one with its last exchange (scrubbed). */
  cases: Array<CaseVerdict & { exchange?: string }>;
  /** What the suite pushed (from the requests in its junit.xml), for the clean-up. */
  writes: WriteRecord[];
  /** The OCI_* settings it ran with (the password and the results folder as placeholders). */
  env?: Record<string, string>;
}

/** The suite's module and version as setup pins it (registries/go-tools.json, bundled). */
export const OFFICIAL_SUITE = (() => {
  const pin = (PINS as Array<{ binary: string; module: string; version: string }>).find(
    (x) => x.binary === 'conformance',
  );
  return pin ? `${pin.module}@${pin.version}` : 'github.com/opencontainers/distribution-spec/conformance';
})();

/** Every official row of `target` as an error with the reason (the suite missing, crashed, or the run broke). */
export function officialErrorRows(target: Target, why: string): OfficialRun {
  return {
    rows: OFFICIAL_FEATURES.map((f) => ({
      registry: target.id,
      feature: f.id,
      status: 'error',
      durationMs: 0,
      detail: `the official OCI suite: ${why}`,
    })),
    cases: [],
    writes: [],
  };
}

/**
 * Run the suite against `target` with the switches `off` (probe.ts) turned off;
 * `evidenceDir` (relative `evidenceRel`) receives the suite's reports.
 */
export async function runOfficial(
  target: Target,
  off: Switch[],
  evidenceDir: string,
  evidenceRel: string,
  signal?: AbortSignal,
): Promise<OfficialRun> {
  const errorRows = (why: string) => officialErrorRows(target, why);
  const bin = await findTool('conformance');
  if (!bin) return errorRows('not installed (npm run setup builds it with go install)');
  const c = target.credential;
  if (c?.identityToken && !c.password)
    return errorRows('it takes a user name and password; this registry has an identity token');
  const secrets = credentialSecrets(c);
  const clean = (t: string) => scrub(t, secrets);

  const base = `${target.namespace}/oci-suite-${randomBytes(3).toString('hex')}`;
  // This version's OCI_TLS=insecure still verifies certificates (it keeps Go's
  // default transport): a registry with its own CA is trusted through SSL_CERT_FILE,
  // which Go reads on Linux; one reached with insecure: true and no CA cannot be.
  if (!target.plainHttp && target.insecure && !target.caFile)
    return errorRows('it cannot skip TLS verification: give the registry entry its caFile');
  const tls = target.plainHttp ? 'disabled' : 'enabled';
  const results = await mkdtemp(join(runTmp(), 'ocicat-official-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OCI_REGISTRY: target.host,
    OCI_TLS: tls,
    OCI_REPO1: `${base}/one`,
    OCI_REPO2: `${base}/two`,
    OCI_RESULTS_DIR: results,
    OCI_VERSION: '1.1',
    ...(target.caFile && !target.plainHttp ? { SSL_CERT_FILE: target.caFile } : {}),
    ...(c?.username !== undefined && c.password !== undefined
      ? { OCI_USERNAME: c.username, OCI_PASSWORD: c.password }
      : {}),
    ...Object.fromEntries(off.map((s) => [s.env, 'false'])),
  };
  // said before it starts, so that a run interrupted midway cleans its repositories too
  for (const r of ['one', 'two'])
    recordWrite({ registry: target.host, repository: `${base}/${r}`, kind: 'repository' });
  const started = performance.now();
  const stderr = await new Promise<string>((resolve) => {
    execFile(
      bin,
      [],
      { env, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, ...(signal ? { signal } : {}) },
      (err, _out, errText) =>
        resolve(
          err && (err as { killed?: boolean }).killed
            ? `killed after ${TIMEOUT_MS / 1000} s`
            : String(errText),
        ),
    );
  });
  const durationMs = Math.round(performance.now() - started);
  try {
    let doc: { apis?: Record<string, string>; data?: Record<string, string> };
    try {
      doc = parse(await readFile(join(results, 'results.yaml'), 'utf8')) as typeof doc;
    } catch {
      const last = stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'no output';
      return errorRows(`wrote no results (${clean(last).slice(0, 200)})`);
    }
    await mkdir(evidenceDir, { recursive: true });
    for (const f of ['report.html', 'results.yaml', 'junit.xml']) {
      const text = await readFile(join(results, f), 'utf8').catch(() => undefined);
      if (text !== undefined) await writeFile(join(evidenceDir, f), clean(text));
    }
    const junit = clean(await readFile(join(results, 'junit.xml'), 'utf8').catch(() => ''));
    const cases = junitCases(junit);
    const failing = cases.filter((c) => c.status === 'fail').map((c) => c.name);
    const switchNote = off.length
      ? `; run with ${off.map((s) => `${s.env}=false`).join(', ')} (the registry refused ${off.map((s) => s.feature).join(', ')} when probed)`
      : '';
    const rows: FeatureResult[] = [];
    for (const [kind, names, table] of [
      ['api', OFFICIAL_APIS, doc.apis ?? {}],
      ['data', OFFICIAL_DATA, doc.data ?? {}],
    ] as const) {
      for (const name of names) {
        const id = officialId(kind, name);
        const verdict = table[name];
        const row = (status: FeatureResult['status'], detail: string): FeatureResult => ({
          registry: target.id,
          feature: id,
          status,
          durationMs: Math.round(durationMs / OFFICIAL_FEATURES.length),
          detail,
          ...(status === 'pass' || status === 'skip'
            ? {}
            : {
                evidence: [
                  `the official OCI suite's report: ${evidenceRel}/report.html (every request and answer)`,
                  `its verdict: ${verdict ?? '(missing)'}${switchNote}`,
                  ...(status === 'fail'
                    ? ['failing test cases:', ...casesFor(id, failing).slice(0, 30)]
                    : []),
                ],
              }),
        });
        const switched = off.find((s) => s.rows.includes(id));
        if (verdict === 'Pass') rows.push(row('pass', 'the official suite: Pass'));
        else if (verdict === 'FAIL')
          rows.push(row('fail', 'the official suite: FAIL (its report is in the evidence)'));
        else if (verdict === 'Disabled' && switched)
          rows.push(
            row(
              'unsupported',
              `switched off (${switched.env}=false): the registry lacks ${switched.feature} (probed before the run)`,
            ),
          );
        else if (verdict === 'Disabled' && OFF_BY_DEFAULT.has(id))
          rows.push(row('skip', 'off by default in the official suite'));
        else if (verdict === 'Skip' || verdict === 'Disabled')
          rows.push(row('skip', `the official suite: ${verdict}`));
        else if (verdict === undefined)
          // the suite leaves a row out when a step before it failed: not measured, not broken
          rows.push(row('skip', 'the official suite gave no verdict for it in this run'));
        else rows.push(row('error', `the official suite: ${verdict}`));
      }
    }
    const settings = Object.fromEntries(
      Object.entries(env)
        .filter(([k]) => k.startsWith('OCI_'))
        .map(([k, v]) => [
          k,
          k === 'OCI_PASSWORD'
            ? '<the password, from your environment>'
            : k === 'OCI_RESULTS_DIR'
              ? '<a folder for its results>'
              : String(v),
        ]),
    );
    return { rows, cases, writes: writesOf(junit, target.host), env: settings };
  } finally {
    await rm(results, { recursive: true, force: true });
  }
}

/** The failing test cases that fail row `id` (official/cases.ts), and any the classification does not know. */
function casesFor(id: string, failing: string[]): string[] {
  return [...new Set(failing)].filter((c) => {
    const cls = classifyCase(c);
    return !cls || cls.rows.includes(id);
  });
}

/** Every write the suite's requests made (junit system-err: "Method", "URL", then "Status"). */
export function writesOf(junit: string, registry: string): WriteRecord[] {
  const out: WriteRecord[] = [];
  const text = unescapeXml(junit);
  const re =
    /Method: (PUT|POST)\nURL: (\S+)[\s\S]*?~~~ RESPONSE ~~~\nStatus: (\d+)\nHeaders:\n([\s\S]*?)(?:\n[^\s][^\n]*\n|={10,})/g;
  for (const m of text.matchAll(re)) {
    const digest = /Docker-Content-Digest: \[([^\]]+)\]/.exec(m[4]!)?.[1];
    const w = writeOf(registry, m[1]!, m[2]!, Number(m[3]), digest, undefined);
    if (w) out.push(w);
  }
  return out;
}
