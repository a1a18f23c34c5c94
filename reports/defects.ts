// Defects, the unit of the report (issue 22): one root cause on one registry. A
// failing ocicat check is a defect (the narrowest check that fails: its id); the
// official suite's failing test cases are classified by operation and case
// (official/cases.ts) and each is explained by the defect of an ocicat check of the
// same case that fails, or by a capability the registry lacks (that check
// unsupported), or else it is a defect of its own, `official:<case group>`. A
// disagreement is only the same case with opposite verdicts: the suite fails a case
// that every ocicat check of it passes, or ocicat's exact counterpart of a case
// fails where the suite passes it.

import { DEFECT_INFO, infoFor, type Level } from '../suites/conformance/defect-info.ts';
import { type CaseVerdict, classifyCase } from '../suites/conformance/official/cases.ts';
import type { FeatureResult } from '../suites/conformance/run-feature.ts';
import type { FeatureInfo } from './results.ts';

export interface Defect {
  /** The narrowest ocicat check that fails, or `official:<case group>`. */
  id: string;
  registry: string;
  title: string;
  level: Level | 'unknown';
  spec: string;
  /** What the registry did, as the check said it. */
  detail: string;
  /** The cells it explains: its own check's, and the official rows failing through it. */
  rows: string[];
  /** The official suite's failing test cases it explains. */
  cases: string[];
  /** The smallest evidence: one request and its answer. */
  evidence: string[];
  clients?: string[];
}

export interface Disagreement {
  registry: string;
  /** The official rows the case belongs to. */
  official: string[];
  case: string;
  feature: string;
  officialStatus: 'pass' | 'fail';
  ocicatStatus: FeatureResult['status'];
  evidence: string[];
}

export interface Analysis {
  defects: Defect[];
  disagreements: Disagreement[];
  /** The rows, each non-pass cell naming the defects (or lacking capability) behind it. */
  rows: FeatureResult[];
}

/** A failing case of the official suite, with the request and answer that failed, when known. */
export interface FailedCase extends CaseVerdict {
  exchange?: string;
}

const official = (f: string) => f.startsWith('oci.');

/** "400 CONTENT_LENGTH_INVALID" from the suite's last exchange (lastExchange's "METHOD url -> 400" and its body). */
export function answerOfExchange(exchange: string | undefined): string | undefined {
  const status = exchange && /-> (\d{3})\b/.exec(exchange)?.[1];
  const code = exchange && /"code"\s*:\s*"([A-Z][A-Z0-9_]*)"/.exec(exchange)?.[1];
  return status && code ? `${status} ${code}` : undefined;
}

/** "400 CONTENT_LENGTH_INVALID" from a check's words, as a RegistryError says it ("…: 400 CODE: message"). */
export function answerOfDetail(detail: string): string | undefined {
  const m = /\b([45]\d{2}) ([A-Z][A-Z0-9_]+)(?=:|\s|$)/.exec(detail);
  return m ? `${m[1]} ${m[2]}` : undefined;
}

/** The last request line of a cell's evidence and the lines of its exchange. */
export function smallestEvidence(evidence: string[] | undefined): string[] {
  if (!evidence?.length) return [];
  for (let i = evidence.length - 1; i >= 0; i--) {
    if (!/^[A-Z]+ \S+ -> \d+/.test(evidence[i]!)) continue;
    const out = [evidence[i]!];
    for (let j = i + 1; j < evidence.length && evidence[j]!.startsWith('  '); j++) out.push(evidence[j]!);
    return out;
  }
  return evidence.slice(-2);
}

/**
 * Defects and disagreements of one run. `cases` holds, per registry, the official
 * suite's test cases with their verdicts (all of them, from its junit.xml); where a
 * run's results carry only the failing ones (a previous schema), direction two
 * (ocicat fails a case the suite passes) is not derived.
 */
export function analyse(
  rows: FeatureResult[],
  cases: Map<string, FailedCase[]>,
  features: Pick<FeatureInfo, 'id' | 'title' | 'optional'>[],
  officialEvidence: (registry: string) => string = () => 'the official suite report',
): Analysis {
  const featureOf = new Map(features.map((f) => [f.id, f]));
  const defects: Defect[] = [];
  const disagreements: Disagreement[] = [];
  const cell = new Map(rows.map((r) => [`${r.registry}\u0000${r.feature}`, r]));
  const status = (registry: string, f: string) => cell.get(`${registry}\u0000${f}`)?.status;
  const byRegistry = new Map<string, Map<string, Defect>>();
  const defectOf = (registry: string, id: string, make: () => Defect) => {
    if (!byRegistry.has(registry)) byRegistry.set(registry, new Map());
    const m = byRegistry.get(registry)!;
    if (!m.has(id)) {
      const d = make();
      m.set(id, d);
      defects.push(d);
    }
    return m.get(id)!;
  };
  const lacks = new Map<string, Set<string>>(); // registry\0row -> checks unsupported that explain it
  const addRow = (d: Defect, row: string) => {
    if (!d.rows.includes(row)) d.rows.push(row);
  };

  // 1. every failing ocicat check is a defect
  for (const r of rows) {
    if (official(r.feature) || r.status !== 'fail') continue;
    const f = featureOf.get(r.feature);
    const info = infoFor(r.feature, f?.title, f?.optional);
    defectOf(r.registry, r.feature, () => ({
      id: r.feature,
      registry: r.registry,
      title: info.title,
      level: info.level,
      spec: info.spec,
      detail: r.detail,
      rows: [r.feature],
      cases: [],
      evidence: smallestEvidence(r.evidence),
      ...(info.clients ? { clients: info.clients } : {}),
    }));
  }

  // 2. the official suite's failing cases, by operation and case
  const failRows = new Set(
    rows
      .filter((r) => official(r.feature) && r.status === 'fail')
      .map((r) => `${r.registry}\u0000${r.feature}`),
  );
  for (const [registry, list] of cases) {
    // A refusal of how requests are framed (defect-info anyCase) that the registry gave
    // the suite too, with the same status and OCI error code: that defect is the cause,
    // whatever case the suite was in (the ACR profile refuses the suite's chunked
    // manifest PUTs in every data set with the 400 CONTENT_LENGTH_INVALID that fails
    // push.chunked-body). Only those: the same answer to requests of other operations
    // (a 400 MANIFEST_INVALID) says nothing of a common cause.
    const framing = (c: FailedCase) => {
      const refusedAs = answerOfExchange(c.exchange);
      return refusedAs
        ? [...(byRegistry.get(registry)?.values() ?? [])].filter(
            (d) => DEFECT_INFO[d.id]?.anyCase && answerOfDetail(d.detail) === refusedAs,
          )
        : [];
    };
    // A 429 is the registry's rate limit, not its verdict on the case: the suite does
    // not retry (ocicat's client does; REGISTRY-FACTS: ECR takes 10 manifest PUTs a
    // second). One defect says so, instead of a case group of its own each time.
    const rateLimited = (c: FailedCase) =>
      c.exchange && /-> 429\b/.test(c.exchange)
        ? [
            defectOf(registry, 'official:rate-limited', () => ({
              id: 'official:rate-limited',
              registry,
              title:
                'The registry answered the official suite 429 Too Many Requests, and the suite does not retry: those cases fail',
              level: 'unknown',
              spec: 'RFC 6585 4 (429 Too Many Requests); the official conformance suite',
              detail: `rate-limited: ${c.name}`,
              rows: [],
              cases: [],
              evidence: [`${officialEvidence(registry)}: test case ${c.name}`, c.exchange!],
            })),
          ]
        : [];
    const cause = (c: FailedCase) => {
      const f = framing(c);
      return f.length ? f : rateLimited(c);
    };
    const refusedPush = new Map<string, Defect[]>();
    for (const c of list) {
      const cls = c.status === 'fail' ? classifyCase(c.name) : undefined;
      const why = cls?.step.startsWith('push/') ? cause(c) : [];
      if (cls && why.length) refusedPush.set(cls.group, [...(refusedPush.get(cls.group) ?? []), ...why]);
    }
    const seen = new Set<string>();
    for (const c of list) {
      if (c.status !== 'fail' || seen.has(c.name)) continue;
      seen.add(c.name);
      const cls = classifyCase(c.name);
      const group = cls?.group ?? c.name.split('/')[0]!;
      const rowsOf = (cls?.rows ?? []).filter((x) => failRows.has(`${registry}\u0000${x}`));
      const checks = cls?.checks ?? [];
      const failing = checks.filter((f) => status(registry, f) === 'fail');
      const lacking = checks.filter((f) => status(registry, f) === 'unsupported');
      if (failing.length) {
        for (const f of failing) {
          const d = byRegistry.get(registry)!.get(f)!;
          d.cases.push(c.name);
          for (const x of rowsOf) addRow(d, x);
        }
        continue;
      }
      if (lacking.length) {
        for (const x of rowsOf) {
          const k = `${registry}\u0000${x}`;
          if (!lacks.has(k)) lacks.set(k, new Set());
          for (const f of lacking) lacks.get(k)!.add(f);
        }
        continue;
      }
      // A cause that is no case's own (cause(): a framing refusal, a 429), or a data
      // set whose push such a cause refused: what it could not store, the suite could
      // not list, pull or delete either (the same defect, not a case of its own).
      const own = cause(c);
      const same = own.length ? own : cls ? [...new Set(refusedPush.get(cls.group) ?? [])] : [];
      if (same.length) {
        for (const d of same) {
          if (!d.cases.includes(c.name)) d.cases.push(c.name);
          for (const x of rowsOf) addRow(d, x);
        }
        continue;
      }
      const d = defectOf(registry, `official:${group}`, () => ({
        id: `official:${group}`,
        registry,
        title: cls
          ? `The official suite's ${group} cases fail, and no ocicat check of the same case fails`
          : `The official suite's ${group} cases fail (a case name ocicat does not classify yet)`,
        level: 'unknown',
        spec: 'distribution-spec 1.1 (the official conformance suite)',
        detail: `failing: ${c.name}`,
        rows: [],
        cases: [],
        evidence: [`${officialEvidence(registry)}: test case ${c.name}`, ...(c.exchange ? [c.exchange] : [])],
      }));
      d.cases.push(c.name);
      for (const x of rowsOf) addRow(d, x);
      const passing = checks.filter(
        (f) => status(registry, f) === 'pass' || status(registry, f) === 'fallback',
      );
      for (const f of passing)
        disagreements.push({
          registry,
          official: rowsOf,
          case: c.name,
          feature: f,
          officialStatus: 'fail',
          ocicatStatus: status(registry, f)!,
          evidence: [`${officialEvidence(registry)}: test case ${c.name}`, `ocicat's ${f}: see its evidence`],
        });
    }
    // 3. ocicat's exact counterpart of a case fails where the suite passes that case
    const exact = new Map<string, { pass: string[]; fail: number }>();
    for (const c of list) {
      const cls = classifyCase(c.name);
      if (!cls?.exact || !cls.checks[0] || (c.status !== 'pass' && c.status !== 'fail')) continue;
      const e = exact.get(cls.checks[0]) ?? { pass: [], fail: 0 };
      if (c.status === 'pass') e.pass.push(c.name);
      else e.fail++;
      exact.set(cls.checks[0], e);
    }
    for (const [f, e] of exact) {
      if (status(registry, f) !== 'fail' || e.fail > 0 || e.pass.length === 0) continue;
      const name = e.pass[0]!;
      disagreements.push({
        registry,
        official: classifyCase(name)!.rows,
        case: name,
        feature: f,
        officialStatus: 'pass',
        ocicatStatus: 'fail',
        evidence: [
          `${officialEvidence(registry)}: test case ${name} passed`,
          `ocicat's ${f}: see its evidence`,
        ],
      });
    }
  }

  // 4. an official row FAIL with no failing case of it: its own defect, read in its report
  for (const r of rows) {
    if (!official(r.feature) || r.status !== 'fail') continue;
    const own = [...(byRegistry.get(r.registry)?.values() ?? [])].some((d) => d.rows.includes(r.feature));
    if (own || lacks.has(`${r.registry}\u0000${r.feature}`)) continue;
    const id = `official:${r.feature.replace(/^oci\.(api|data)\./, '')}`;
    const d = defectOf(r.registry, id, () => ({
      id,
      registry: r.registry,
      title: `The official suite fails ${featureOf.get(r.feature)?.title ?? r.feature}`,
      level: 'unknown',
      spec: 'distribution-spec 1.1 (the official conformance suite)',
      detail: r.detail,
      rows: [],
      cases: [],
      evidence: (r.evidence ?? []).slice(0, 3),
    }));
    addRow(d, r.feature);
  }

  // 5. each non-pass cell names what is behind it
  const named = rows.map((r) => {
    if (r.status === 'pass' || r.status === 'skip') return r;
    const ids = [...(byRegistry.get(r.registry)?.values() ?? [])]
      .filter((d) => d.rows.includes(r.feature))
      .map((d) => d.id);
    const lack = [...(lacks.get(`${r.registry}\u0000${r.feature}`) ?? [])];
    if (!ids.length && !lack.length) return r;
    return {
      ...r,
      ...(ids.length ? { defects: ids } : {}),
      ...(lack.length ? { lacks: lack } : {}),
    };
  });
  return { defects, disagreements, rows: named };
}
