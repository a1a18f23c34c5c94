// The official suite's test cases, each classified by operation and case (issue 22):
// which of its results.yaml rows a failing case can fail, and which ocicat checks
// measure the same operation on the same case. The names are `<group>/<step>` or
// `<group>/<phase>/<step>`; what follows is read from the suite's source at the
// version setup pins (conformance/run.go: ChildRun names, and the rows each TestFail
// marks): the blob groups "sha256 blobs"/"sha512 blobs" (data row "Blobs <alg>"), the
// data sets by their tdName (push, tag-list, head, pull, referrers, delete), and
// ping, empty, missing-manifest, invalid-digest-format. A name this does not know
// is undefined: a test runs the suite and fails on it, so a new suite version
// cannot slip through unread.
import { officialId } from './rows.ts';

export interface CaseVerdict {
  name: string;
  status: 'pass' | 'fail' | 'skip' | 'error';
}

export interface CaseClass {
  group: string;
  step: string;
  /** The official rows (`oci.api.*`, `oci.data.*`) a failure of this case fails. */
  rows: string[];
  /** ocicat checks of the same operation and case: a non-pass one explains the failure. */
  checks: string[];
  /** The first check asks exactly what this case asks (same request, same expectation). */
  exact: boolean;
}

const api = (n: string) => officialId('api', n);
const data = (n: string) => officialId('data', n);

/** Data sets: tdName -> results.yaml "data" name (run.go GenerateData). */
const DATA_SETS: Record<string, string> = {
  image: 'Image',
  'image-uncompressed': 'Image Uncompressed',
  'large-manifest': 'Image with Large Manifest',
  index: 'Index',
  'nested-index': 'Nested Index',
  'empty-index': 'Empty Index',
  artifact: 'Artifact',
  'artifact-index': 'Artifact Index',
  'artifact-without-layers': 'Artifact without Layers',
  'artifacts-with-subject': 'Artifacts with Subject',
  'index-with-subject': 'Index with Subject',
  'missing-subject': 'Missing Subject',
  'data-field': 'Data Field',
  'non-distributable-layers': 'Non-distributable Layers',
  'custom-fields': 'Custom Fields',
  'no-layers': 'No Layers',
  sparse: 'Sparse Manifests',
  sha512: 'Digest Algorithm sha512',
  'tag-param-sha256': 'Tag Param',
  'tag-param-sha512': 'Tag Param sha512',
  'bad-digest-image': 'Bad Digest Image',
};

/**
 * The ocicat check of each data set's own shape: a step of the data set (its tag
 * list, a HEAD) that fails because the registry refused the shape is that check's.
 */
const SHAPE_CHECK: Record<string, string[]> = {
  'large-manifest': ['manifest.shape.large-4mib'],
  index: ['artifact.multi-layer-index'],
  'nested-index': ['manifest.shape.nested-index'],
  'empty-index': ['manifest.shape.empty-index'],
  artifact: ['manifest.shape.artifact-empty-config'],
  'artifact-index': ['manifest.shape.artifact-index'],
  'artifacts-with-subject': ['referrers.api'],
  'index-with-subject': ['manifest.shape.index-subject', 'referrers.api'],
  'missing-subject': ['manifest.shape.missing-subject'],
  'data-field': ['manifest.shape.data-field'],
  'non-distributable-layers': ['manifest.non-distributable'],
  'custom-fields': ['manifest.shape.custom-fields'],
  'no-layers': ['manifest.shape.no-layers'],
  sha512: ['push.blob.sha512'],
  'tag-param-sha512': ['push.blob.sha512'],
  'bad-digest-image': ['push.blob.digest-mismatch'],
  'invalid-digest-format': ['manifest.bad-digest-reference'],
};

/** Data sets whose manifests carry a subject (run.go genWithSubject). */
const SUBJECT_SETS = new Set(['artifacts-with-subject', 'index-with-subject', 'missing-subject']);

/** Blob push steps (run.go TestPushBlob*): the row each marks, and ocicat's check of the same upload. */
const PUSH_STEPS: Record<string, { row: string; check: string }> = {
  'blob-post-only': { row: 'Blob post only', check: 'push.blob.monolithic' },
  'blob-post-put': { row: 'Blob post put', check: 'push.blob.monolithic' },
  'blob-patch-chunked': { row: 'Blob chunked', check: 'push.blob.chunked' },
  'blob-patch-stream': { row: 'Blob streaming', check: 'push.blob.chunked' },
};

// the data sets' delete step names no blob: it may be one only this repository
// holds, one other repositories hold too, or the empty JSON config its manifests use
const DELETE_ANY = ['delete.blob', 'delete.blob.shared', 'delete.blob.empty-config'];

function blobGroup(alg: string, test: string, step: string | undefined): CaseClass | undefined {
  const group = `${alg} blobs`;
  const row = data(`Blobs ${alg}`);
  const extra = alg === 'sha512' ? ['push.blob.sha512'] : [];
  const c = (apis: string[], checks: string[], exact = false): CaseClass => ({
    group,
    step: step ?? test,
    rows: [...apis.map(api), row],
    // a sha512 case asks first whether sha512 works at all
    checks: [...extra, ...checks],
    exact: exact && (alg === 'sha256' || checks.length === 0),
  });
  if (test === 'get-missing' && step === undefined) return c(['Blob get'], ['pull.verify-digest']);
  if (step === undefined) return undefined;
  const push = PUSH_STEPS[step];
  if (test.startsWith('bad digest ') && push) return c([push.row], ['push.blob.digest-mismatch']);
  if (test.startsWith('chunked out-of-order') && step === 'blob-patch-chunked')
    return c(['Blob chunked'], ['push.blob.out-of-order'], true);
  if (push) {
    // a range test whose set-up push fails marks "Blob get range" failed too (run.go TestSkip)
    const rows = test === 'range requests' ? [push.row, 'Blob get range'] : [push.row];
    return alg === 'sha512'
      ? { ...c(rows, []), exact: test === 'post+put' && step === 'blob-post-put' }
      : c(rows, [push.check]);
  }
  if (test === 'range requests' && /^range /.test(step)) {
    // 500-0 (end before start) and 5000-10000 (past the end) are unsatisfiable: 416
    const unsatisfiable = step === 'range 500-0' || step === 'range 5000-10000';
    return c(
      ['Blob get range'],
      [unsatisfiable ? 'pull.blob.range-unsatisfiable' : 'pull.blob.range-resume'],
    );
  }
  switch (step) {
    case 'blob-mount':
      return c(['Blob mount'], ['push.mount']);
    case 'blob-mount-anonymous':
      return c(['Blob anonymous mount'], ['push.mount']);
    case 'blob-post-cancel':
      return c(['Blob push', 'Blob upload cancel'], []);
    case 'blob-head':
      return c(['Blob head'], ['pull.verify-digest']);
    case 'blob-get':
      return c(['Blob get'], ['pull.verify-digest']);
    case 'blob-delete':
      // after a mount the blob is in both repositories (Zot's dedupe keeps it);
      // {} is held by every artifact a registry stores (Harbor keeps it)
      if (test === 'mount' || test === 'mount anonymous')
        return c(['Blob delete', 'Blob delete atomic'], ['delete.blob.shared'], true);
      if (test === 'emptyJSON')
        return c(['Blob delete', 'Blob delete atomic'], ['delete.blob.empty-config', 'delete.blob.shared']);
      return c(['Blob delete', 'Blob delete atomic'], ['delete.blob'], test === 'post+put');
    default:
      return undefined;
  }
}

/** A step of a data set, or of invalid-digest-format (which pushes blobs and deletes like one). */
function dataStep(group: string, phase: string | undefined, step: string, row: string | undefined) {
  const shape = SHAPE_CHECK[group] ?? [];
  const c = (apis: string[], checks: string[], exact = false): CaseClass => ({
    group,
    step: phase ? `${phase}/${step}` : step,
    rows: [...apis.map(api), ...(row ? [row] : [])],
    checks: [...new Set([...checks, ...shape])],
    exact,
  });
  const push = PUSH_STEPS[step];
  if (push && (phase === 'push' || phase === undefined)) return c([push.row], [push.check]);
  const key = `${phase ?? ''}/${step}`;
  // a manifest PUT marks these rows only when its data set has a subject or tag parameters
  const subject = SUBJECT_SETS.has(group) ? ['Manifest put with subject'] : [];
  const tagParams = group.startsWith('tag-param') ? ['Manifest put with tag params'] : [];
  switch (key) {
    case 'push/manifest-by-digest':
      return c(['Manifest put by digest', ...subject, ...tagParams], []);
    case 'push/manifest-by-tag':
      return c(['Manifest put by tag', ...subject], []);
    case '/tag-list':
      // the suite lists with `last` (REGISTRY-FACTS): ocicat's pagination check asks that too
      return c(['Tag listing'], ['tags.pagination']);
    case 'head/manifest-head-by-tag':
      return c(['Manifest head by tag'], []);
    case 'head/manifest-head-by-digest':
      return c(['Manifest head by digest'], []);
    case 'head/blob-head':
      return c(['Blob head'], ['pull.verify-digest']);
    case 'pull/manifest-by-tag':
      return c(['Manifest get by tag'], []);
    case 'pull/manifest-by-digest':
      return c(['Manifest get by digest'], []);
    case 'pull/blob-get':
      return c(['Blob get'], ['pull.verify-digest']);
    case '/referrers':
      return c(['Referrers'], ['referrers.api']);
    case 'delete/tag-delete':
      return c(['Tag delete', 'Tag delete atomic'], ['delete.tag']);
    case 'delete/manifest-delete':
      return c(['Manifest delete', 'Manifest delete atomic'], ['delete.manifest']);
    case 'delete/blob-delete':
      return c(['Blob delete', 'Blob delete atomic'], DELETE_ANY);
    default:
      return undefined;
  }
}

/** The class of an official test case by its junit name (with or without the "OCI Conformance Test/" root). */
export function classifyCase(fullName: string): CaseClass | undefined {
  const name = fullName.replace(/^OCI Conformance Test\//, '');
  const parts = name.split('/');
  const [group, a, b, extra] = parts;
  if (!group || extra !== undefined) return undefined;
  const blobs = /^(sha256|sha512) blobs$/.exec(group);
  if (blobs) return a ? blobGroup(blobs[1]!, a, b) : undefined;
  const one = (rows: string[], checks: string[], exact = false): CaseClass => ({
    group,
    step: parts.slice(1).join('/'),
    rows,
    checks,
    exact,
  });
  if (group === 'ping' && a === undefined) return one([api('Ping')], []);
  if (group === 'empty' && b === undefined) {
    if (a === 'tag list') return one([api('Tag listing')], ['tags.pagination']);
    if (a === 'referrers') return one([api('Referrers')], ['referrers.api']);
    return undefined;
  }
  if (group === 'missing-manifest' && b === undefined) {
    if (a === 'by-digest') return one([api('Manifest get by digest')], ['errors.oci-body']);
    if (a === 'by-tag') return one([api('Manifest get by tag')], ['errors.oci-body']);
    return undefined;
  }
  if (group === 'invalid-digest-format' && a) {
    const row = data('Invalid Manifest Digest');
    if (b === undefined && a === 'manifest-put')
      return one([api('Manifest put by digest'), row], ['manifest.bad-digest-reference'], true);
    if (b === undefined && a === 'manifest-get')
      return one([api('Manifest get by digest'), row], ['manifest.bad-digest-reference'], true);
    return b === undefined ? dataStep(group, undefined, a, row) : dataStep(group, a, b, row);
  }
  const set = DATA_SETS[group];
  if (!set || !a) return undefined;
  return b === undefined ? dataStep(group, undefined, a, data(set)) : dataStep(group, a, b, data(set));
}

/** Every test case of a junit.xml the suite wrote, with its verdict; a failing one with its last exchange. */
export function junitCases(junit: string): Array<CaseVerdict & { exchange?: string }> {
  const out: Array<CaseVerdict & { exchange?: string }> = [];
  for (const m of junit.matchAll(
    /<testcase name="([^"]*)"[^>]*status="([a-z]+)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g,
  )) {
    const s = m[2]!;
    const status = s === 'passed' ? 'pass' : s === 'failure' ? 'fail' : s === 'skipped' ? 'skip' : 'error';
    const exchange = status === 'fail' && m[4] ? lastExchange(unescapeXml(m[4])) : undefined;
    out.push({
      name: unescapeXml(m[1]!).replace(/^OCI Conformance Test\//, ''),
      status,
      ...(exchange ? { exchange } : {}),
    });
  }
  return out;
}

/** The last request of a case's output and the answer to it, in ocicat's evidence form. */
export function lastExchange(text: string): string | undefined {
  const blocks = text.split(/~~~ REQUEST ~~~\n/).slice(1);
  const last = blocks.at(-1);
  if (!last) return undefined;
  const method = /Method: (\S+)/.exec(last)?.[1];
  const url = /URL: (\S+)/.exec(last)?.[1];
  const answer = last.split(/~~~ RESPONSE ~~~\n/)[1] ?? '';
  const status = /Status: (\d+)/.exec(answer)?.[1] ?? '(no answer)';
  const body = answer
    .replace(/^Status: \d+\nHeaders:\n/, '')
    .replace(/={10,}[\s\S]*$/, '')
    .trim()
    .slice(0, 600);
  return `${method ?? '?'} ${url ?? '?'} -> ${status}${body ? `\n  ${body.replace(/\n/g, '\n  ')}` : ''}`;
}

export const unescapeXml = (s: string) =>
  s
    .replace(/&#xA;/g, '\n')
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
