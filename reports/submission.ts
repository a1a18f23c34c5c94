// ocicat conformance submission RUN_DIR --registry ID --product PRODUCT.yaml --out DIR
//   [--dir NAME] [--force] (issue 25): what a vendor opens a pull request with at
// github.com/opencontainers/oci-conformance (REGISTRY-FACTS "The OCI conformance
// program"): DIR/distribution-spec/v<major.minor>/<dir>/ with exactly README.md,
// PRODUCT.yaml, and the official suite's results.yaml, report.html and junit.xml as
// it wrote them (scrubbed of the run's secrets when the run kept them, otherwise
// byte for byte). Then the program's review checklist, a line each, pass or fail.
// Exit 0 when every line passes, 1 when one fails (the files are written: the
// vendor sees what to fix), 2 for bad input (nothing written).
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, YAMLParseError } from 'yaml';
import { REQUIRED_APIS, REQUIRED_DATA } from '../suites/conformance/official/rows.ts';
import { officialDir, type RegistryInfo, ResultsError, readResults } from './results.ts';

export const USAGE =
  'usage: ocicat conformance submission RUN_DIR --registry ID --product PRODUCT.yaml --out DIR [--dir NAME] [--force]';

/** distribution-spec releases by minor version, oldest first; the last is current. */
export const SPEC_VERSIONS = ['1.0', '1.1'];
/** The program accepts the current version and the two before it. */
const ACCEPTED = SPEC_VERSIONS.slice(-3);

/** PRODUCT.yaml (REGISTRY-FACTS): 9 fields, repo_url and product_logo_url optional. */
export const PRODUCT_FIELDS = [
  'vendor',
  'name',
  'version',
  'website_url',
  'repo_url',
  'documentation_url',
  'product_logo_url',
  'type',
  'description',
];
const OPTIONAL = new Set(['repo_url', 'product_logo_url']);

export const FILES = ['README.md', 'PRODUCT.yaml', 'results.yaml', 'report.html', 'junit.xml'];

export class SubmissionError extends Error {}

export interface Check {
  ok: boolean;
  line: string;
}

interface SuiteResults {
  config?: { version?: string; registry?: string; tls?: string };
  apis?: Record<string, string>;
  data?: Record<string, string>;
}

/** PRODUCT.yaml's problems, one line each (none: it is fine). */
export function productProblems(product: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of PRODUCT_FIELDS) {
    const v = product[f];
    if (OPTIONAL.has(f) && (v === undefined || v === '')) continue;
    if (typeof v !== 'string' || v.trim() === '') out.push(`PRODUCT.yaml: ${f} is required (a string)`);
  }
  for (const k of Object.keys(product))
    if (!PRODUCT_FIELDS.includes(k))
      out.push(`PRODUCT.yaml: ${k} is not a field of the program's PRODUCT.yaml`);
  if (typeof product.name === 'string' && /oci/i.test(product.name))
    out.push(`PRODUCT.yaml: name "${product.name}" must not contain "OCI"`);
  const logo = product.product_logo_url;
  if (typeof logo === 'string' && logo !== '' && !/\.(svg|ai|eps)(\?.*)?$/i.test(logo))
    out.push('PRODUCT.yaml: product_logo_url must be an SVG, AI or EPS file');
  return out;
}

/** The version in report.html (the suite writes its configuration there). */
export function reportVersion(html: string): string | undefined {
  return /version:\s*(?:&#34;|&quot;|")(\d+\.\d+)(?:&#34;|&quot;|")/.exec(html)?.[1];
}

/** The required rows and which of them fail; the optional rows that do not pass. */
export function certification(doc: SuiteResults): { failing: string[]; optional: string[] } {
  const failing = [
    ...REQUIRED_APIS.filter((n) => doc.apis?.[n] !== 'Pass').map(
      (n) => `API ${n}: ${doc.apis?.[n] ?? 'missing'}`,
    ),
    ...REQUIRED_DATA.filter((n) => doc.data?.[n] !== 'Pass').map(
      (n) => `data ${n}: ${doc.data?.[n] ?? 'missing'}`,
    ),
  ];
  const optional = [
    ...Object.entries(doc.apis ?? {})
      .filter(([n, v]) => !(REQUIRED_APIS as readonly string[]).includes(n) && v !== 'Pass')
      .map(([n, v]) => `API ${n}: ${v}`),
    ...Object.entries(doc.data ?? {})
      .filter(([n, v]) => !(REQUIRED_DATA as readonly string[]).includes(n) && v !== 'Pass')
      .map(([n, v]) => `data ${n}: ${v}`),
  ];
  return { failing, optional };
}

const slugOf = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** README.md: how to reproduce the run exactly. */
export function submissionReadme(o: {
  product: Record<string, string>;
  info: RegistryInfo;
  suite: SuiteResults;
  runId: string;
  command: string;
}): string {
  const { product, info, suite } = o;
  const lines: string[] = [
    `# ${product.name} ${product.version}: OCI distribution-spec conformance`,
    '',
    `${product.description}`,
    '',
    `Vendor: ${product.vendor}. Documentation: ${product.documentation_url}.`,
    '',
    '## Install and configure the registry',
    '',
  ];
  const s = info.setup;
  if (s) {
    lines.push(
      `The run started ${info.title} (version ${info.version}) itself (${info.provider}, ${info.auth}), as follows; $RUN_DIR is a folder of its own.`,
      '',
      '```sh',
      s.binary
        ? `${s.binary} ${s.args.map(shellWord).join(' ')}`
        : `docker run --network host -v "$RUN_DIR:$RUN_DIR" ${s.image ?? ''} ${s.args.map(shellWord).join(' ')}`,
      '```',
      '',
    );
    if (s.env && Object.keys(s.env).length)
      lines.push(
        'Its environment:',
        '',
        '```sh',
        ...Object.entries(s.env).map(([k, v]) => `export ${k}=${shellWord(v)}`),
        '```',
        '',
      );
    for (const [name, text] of Object.entries(s.files))
      lines.push(`\`$RUN_DIR/${name}\`:`, '', '```', text.trimEnd(), '```', '');
    if (s.secretFiles.length)
      lines.push(
        `Credential files it reads (their content is not shown here; make your own): ${s.secretFiles.map((f) => `\`$RUN_DIR/${f}\``).join(', ')}.`,
        '',
      );
  } else {
    lines.push(
      `The registry was reached at \`${suite.config?.registry ?? 'its address'}\` (${info.provider}, ${info.auth}); ocicat did not start it.`,
      '',
      '<!-- VENDOR: the full install and configuration steps of the product go here, as the program asks. -->',
      '',
    );
  }
  const env = info.official?.env ?? {};
  lines.push(
    '## Run the conformance suite',
    '',
    `The official suite, \`${info.official?.suite ?? 'github.com/opencontainers/distribution-spec/conformance'}\`, built with \`go install\`, ran with these settings:`,
    '',
    '```sh',
    ...Object.entries(env)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `export ${k}=${shellWord(v)}`),
    'conformance',
    '```',
    '',
    `It ran inside an ocicat conformance run (run \`${o.runId}\`), which set those and turned off a switch only where ocicat had measured the capability missing:`,
    '',
    '```sh',
    o.command,
    '```',
    '',
    "The three result files here are the suite's own: `results.yaml`, `report.html`, `junit.xml`.",
    '',
  );
  return `${lines.join('\n')}`;
}

const shellWord = (s: string) => (/^[\w@%+=:,./$-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function submissionMain(
  argv: string[],
  out = (s: string) => process.stdout.write(s),
  err = (s: string) => process.stderr.write(s),
): Promise<number> {
  let values: { registry?: string; product?: string; out?: string; dir?: string; force?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        registry: { type: 'string' },
        product: { type: 'string' },
        out: { type: 'string' },
        dir: { type: 'string' },
        force: { type: 'boolean' },
      },
      allowPositionals: true,
    }));
    if (positionals.length !== 1 || !values.registry || !values.product || !values.out)
      throw new SubmissionError(USAGE);
  } catch (e) {
    err(`error: ${(e as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  const runDir = resolve(positionals[0]!);
  try {
    const results = await readResults(join(runDir, 'results.json'));
    const info = results.registries.find((x) => x.id === values.registry);
    if (!info)
      throw new SubmissionError(
        `the run has no registry "${values.registry}" (it has ${results.registries.map((x) => x.id).join(', ')})`,
      );
    const from = join(runDir, officialDir(info.id));
    const missing: string[] = [];
    for (const f of ['results.yaml', 'report.html', 'junit.xml'])
      await readFile(join(from, f)).catch(() => missing.push(f));
    if (missing.length)
      throw new SubmissionError(
        `the run holds no ${missing.join(', ')} of the official suite for ${info.id} (${info.state === 'ran' ? 'the suite did not run or broke' : `the registry ${info.state}`}): run \`ocicat conformance run --registry ${info.id}\` with the official suite (npm run setup builds it; no --feature, or --feature oci.)`,
      );
    // PRODUCT.yaml: YAML, a map, its fields
    let text: string;
    try {
      text = await readFile(values.product, 'utf8');
    } catch (e) {
      throw new SubmissionError(`cannot read ${values.product}: ${(e as NodeJS.ErrnoException).code}`);
    }
    let product: unknown;
    try {
      product = parse(text);
    } catch (e) {
      const line = e instanceof YAMLParseError ? e.linePos?.[0]?.line : undefined;
      throw new SubmissionError(`${values.product}: not YAML${line ? ` (line ${line})` : ''}`);
    }
    if (typeof product !== 'object' || product === null || Array.isArray(product))
      throw new SubmissionError(
        `${values.product}: not a map of the program's fields (${PRODUCT_FIELDS.join(', ')})`,
      );
    const problems = productProblems(product as Record<string, unknown>);
    if (problems.length)
      throw new SubmissionError(
        `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
      );
    const p = product as Record<string, string>;

    const suite = parse(await readFile(join(from, 'results.yaml'), 'utf8')) as SuiteResults;
    const html = await readFile(join(from, 'report.html'), 'utf8');
    const version = suite.config?.version ?? reportVersion(html) ?? '';
    const dirName = values.dir ?? slugOf(`${p.vendor}-${p.name}`);
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(dirName))
      throw new SubmissionError(`--dir ${dirName}: a folder name, please`);
    const target = join(resolve(values.out), 'distribution-spec', `v${version}`, dirName);
    const existing = await readdir(target).catch(() => []);
    if (existing.length && !values.force)
      throw new SubmissionError(`${target} is not empty (${existing.length} files); --force replaces it`);

    // write it beside, then put it in place: never half a submission
    const tmp = `${target}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    for (const f of ['results.yaml', 'report.html', 'junit.xml']) await copyFile(join(from, f), join(tmp, f));
    await copyFile(values.product, join(tmp, 'PRODUCT.yaml'));
    const command = `ocicat conformance run --registry ${info.id}${info.provider === 'remote' ? ' --registries registries.yaml' : ''}`;
    await writeFile(
      join(tmp, 'README.md'),
      submissionReadme({ product: p, info, suite, runId: results.run.id, command }),
    );
    await rm(target, { recursive: true, force: true });
    await rename(tmp, target);

    // the review checklist
    const files = (await readdir(target)).sort();
    const cert = certification(suite);
    const checks: Check[] = [
      {
        ok: files.join(',') === [...FILES].sort().join(','),
        line: `file list: ${files.join(', ')}`,
      },
      {
        ok: ACCEPTED.includes(version),
        line: `version folder v${version}: the current spec version (${SPEC_VERSIONS.at(-1)}) or one of the two before it`,
      },
      {
        ok: reportVersion(html) === version,
        line: `report.html's version (${reportVersion(html) ?? 'none found'}) equals the folder's (${version})`,
      },
      {
        ok: true,
        line: `PRODUCT.yaml: the required fields, a name without "OCI"${p.product_logo_url ? ', an SVG/AI/EPS logo' : ''}`,
      },
      {
        ok: cert.failing.length === 0,
        line: cert.failing.length
          ? `required rows: not certifiable for ${version}: ${cert.failing.join('; ')}`
          : `required rows pass (${[...REQUIRED_APIS, ...REQUIRED_DATA].join(', ')}): certifiable for ${version}`,
      },
    ];
    out(`${target}\n`);
    for (const c of checks) out(`${c.ok ? 'pass' : 'FAIL'}  ${c.line}\n`);
    if (cert.optional.length) out(`note  optional rows that do not pass: ${cert.optional.join('; ')}\n`);
    return checks.every((c) => c.ok) ? 0 : 1;
  } catch (e) {
    if (e instanceof SubmissionError || e instanceof ResultsError) {
      err(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
