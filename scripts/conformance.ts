// ocicat conformance run [--registry PATTERN ...] [--registries FILE] [--out DIR] [--feature PREFIX ...]
//
// Starts the selected registries (default: every one available here, through
// each provider, in each auth variant, and every proxy profile in front of a
// local registry; with --registries, the remote entries of that file), runs the
// conformance suite against them with vitest, stops them, and writes DIR/results.json,
// junit.xml, report.md, report.html and the evidence files.
// Exit (--fail-on, issue 14): with `fail` (the default, as the official suite) 1 when
// any cell is fail or error; with `error` 1 only for error cells (the harness broke,
// or a registry could not be set up: refused credentials, unreachable, untrusted
// TLS, a namespace it will not take); with `never` 0. 2 for bad arguments.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { createVitest, Vitest } from 'vitest/node';
import { suggestion } from '../harness/cli/help.ts';
import { plainText } from '../harness/cli/output.ts';
import { Limiter } from '../harness/remote/limiter.ts';
import type { WriteRecord } from '../harness/remote/write-log.ts';
import type { CleanupOutcome } from '../registries/cleanup.ts';
import { LOCAL_REGISTRIES } from '../registries/definitions/index.ts';
import { startContainer } from '../registries/providers/container.ts';
import { startProcess } from '../registries/providers/process.ts';
import { startRemote } from '../registries/providers/remote.ts';
import { REGISTRY_TMP_ENV, ramScratch } from '../registries/providers/scratch-root.ts';
import { PROFILES } from '../registries/proxy/profiles/index.ts';
import { startProxy } from '../registries/proxy/proxy.ts';
import { readRegistriesFile } from '../registries/registries-file.ts';
import {
  type AuthVariant,
  type RegistrySetup,
  RegistryUnavailable,
  type StartedRegistry,
} from '../registries/types.ts';
import type { FailedCase } from '../reports/defects.ts';
import { analyse } from '../reports/defects.ts';
import { officialDir, type RegistryInfo, type Results, SCHEMA_VERSION } from '../reports/results.ts';
import type { ProgressHook } from '../reports/results-reporter.ts';
import { USAGE as SUBMISSION_USAGE, submissionMain } from '../reports/submission.ts';
import { writeReports } from '../reports/write.ts';
import type { Feature } from '../suites/conformance/feature.ts';
import { FEATURES, featuresFor, SPEC_ENV, type SpecLevel } from '../suites/conformance/features/index.ts';
import { probeSwitches } from '../suites/conformance/official/probe.ts';
import { OFFICIAL_FEATURES } from '../suites/conformance/official/rows.ts';
import {
  OFFICIAL_SUITE,
  type OfficialRun,
  officialErrorRows,
  runOfficial,
} from '../suites/conformance/official/run.ts';
import { BACKEND_ID, profileClaims } from '../suites/conformance/profile-claims.ts';
import type { FeatureResult } from '../suites/conformance/run-feature.ts';
import { makeRunTmp, removeRunTmp } from '../suites/conformance/run-tmp.ts';
import { SUITE_OPTIONS } from '../suites/conformance/suite-options.ts';
import { TARGETS_ENV, type Target, type Targets } from '../suites/conformance/target.ts';
import { readJournal, WRITES_ENV } from '../suites/conformance/write-journal.ts';

const USAGE =
  'usage: ocicat conformance run [--registry PATTERN ...] [--registries FILE] [--out DIR] [--feature PREFIX ...] [--fail-on fail|error|never] [--spec 1.1|next]';
const FAIL_ON = ['fail', 'error', 'never'] as const;
const SUBMISSION_HELP = `From a finished run, the folder a vendor submits to the OCI conformance program
(github.com/opencontainers/oci-conformance): DIR/distribution-spec/v<X.Y>/<dir>/ with
README.md (how to reproduce the run), PRODUCT.yaml (as given, checked) and the official
suite's results.yaml, report.html and junit.xml; then the program's review checklist.
Exit 0 when every line passes, 1 when one fails, 2 for bad input.
`;
const HELP = `${USAGE}
       ${SUBMISSION_USAGE.replace('usage: ', '')}

Start the registries (every one this machine can run, each quirk profile in front
of a local registry; or, with --registries, those of the file), run ocicat's
features and the official OCI conformance suite against them, stop them, and
write report.html, report.md, junit.xml, results.json and evidence/ to --out
(default out/conformance in the current folder).

  --registry PATTERN    a registry id or a pattern (distribution3/process/token,
                        distribution2/*, profile/ghcr); repeatable
  --registries FILE     registries reached by configuration (registries/registries-file.ts)
  --feature PREFIX      run the features whose id starts with PREFIX; repeatable
  --out DIR             where the reports go
  --fail-on LEVEL       exit 1 on fail or error cells (fail, the default), on error
                        cells only (error), or never
  --spec 1.1|next       the spec to measure against (1.1, the default; next adds
                        what main requires or recommends after 1.1.1)
`;
const ROOT = resolve(import.meta.dirname, '..');
/** Run from dist/conformance.mjs (scripts/build.ts; an installed package has only that). */
const BUNDLED = import.meta.url.endsWith('.mjs');

/**
 * What vitest runs: from the source, the suite's config; bundled, the suite and its
 * reporter as JavaScript beside this file (an installed package has no TypeScript
 * to transform, and may run on a Node without type stripping).
 */
function suiteConfig(): Parameters<typeof createVitest>[1] {
  if (!BUNDLED) return { config: join(ROOT, 'suites/conformance/vitest.config.ts'), run: true, watch: false };
  const dist = import.meta.dirname;
  return {
    config: false,
    root: dist,
    include: ['conformance-suite.mjs'],
    exclude: [],
    testTimeout: SUITE_OPTIONS.testTimeout,
    hookTimeout: SUITE_OPTIONS.hookTimeout,
    maxConcurrency: SUITE_OPTIONS.maxConcurrency,
    pool: 'forks',
    // loaded by Node itself, not through vite's transform (it is plain JavaScript
    // already): the first feature starts 0.8 s sooner (a 560 KB bundle to transform)
    server: { deps: { external: [/conformance-suite\.mjs$/] } },
    reporters: [join(dist, 'results-reporter.mjs')],
    run: true,
    watch: false,
  };
}

interface Started {
  target: Target;
  /** How it was started, for a registry the run started itself. */
  setup?: RegistrySetup;
  stop(): Promise<void>;
  /** A registry the run did not start: delete what the journal says it received. */
  cleanup?(journal: WriteRecord[]): Promise<CleanupOutcome>;
}

interface Plan {
  id: string;
  title: string;
  name: string;
  provider: string;
  auth: string;
  profile?: string;
  start(): Promise<Started>;
}

function targetOf(reg: StartedRegistry, id: string, title: string, extra: Partial<Target> = {}): Target {
  return {
    id,
    title,
    name: reg.name,
    version: reg.version,
    provider: reg.provider,
    auth: reg.auth,
    host: reg.host,
    plainHttp: reg.plainHttp,
    namespace: reg.namespace ?? 'conformance',
    ...(reg.caFile ? { caFile: reg.caFile } : {}),
    ...(reg.insecure ? { insecure: true } : {}),
    ...(reg.credential || reg.login ? { credential: reg.credential ?? reg.login! } : {}),
    ...(reg.token ? { tokenRealm: reg.token.realm } : {}),
    ...(reg.expected ? { expected: reg.expected } : {}),
    ...extra,
  };
}

/**
 * The local registry the profiles sit in front of: the most conformant one this
 * machine runs (olareg passes every feature here, REGISTRY-FACTS), else distribution
 * 3.1.2, 3.1.1, 2.8. What it fails itself is no profile's claim (profile-claims.ts).
 */
const BACKENDS = ['olareg', 'distribution3.1.2', 'distribution3.1.1', 'distribution2'];
async function backing(): Promise<StartedRegistry> {
  let last: unknown;
  for (const name of BACKENDS) {
    try {
      return await startProcess(LOCAL_REGISTRIES.find((d) => d.name === name)!);
    } catch (e) {
      if (!(e instanceof RegistryUnavailable)) throw e;
      last = e;
    }
  }
  throw last;
}

function localPlans(): Plan[] {
  const plans: Plan[] = [];
  for (const def of LOCAL_REGISTRIES) {
    for (const [provider, start] of [
      ['process', startProcess],
      ['container', startContainer],
    ] as const) {
      for (const auth of def.auths) {
        const id = `${def.name}/${provider}/${auth}`;
        plans.push({
          id,
          title: def.title,
          name: def.name,
          provider,
          auth,
          async start() {
            const reg = await start(def, { auth: auth as AuthVariant });
            return {
              target: targetOf(reg, id, def.title),
              stop: () => reg.stop(),
              ...(reg.setup ? { setup: reg.setup } : {}),
            };
          },
        });
      }
    }
  }
  // the profiles' backend as a column of its own: what it does itself, measured
  plans.push({
    id: BACKEND_ID,
    title: "the profiles' backend",
    name: 'backend',
    provider: 'process',
    auth: 'anonymous',
    async start() {
      const reg = await backing();
      return {
        target: targetOf(reg, BACKEND_ID, `the profiles' backend: ${reg.name} ${reg.version}`),
        stop: () => reg.stop(),
      };
    },
  });
  for (const p of PROFILES) {
    const id = `profile/${p.name}`;
    plans.push({
      id,
      title: `${p.title} (profile)`,
      name: p.name,
      provider: 'proxy',
      auth: 'anonymous',
      profile: p.name,
      async start() {
        const reg = await backing();
        const proxy = await startProxy(reg, p.rules());
        const base = targetOf(reg, id, `${p.title} (profile)`);
        // what the profile emulates is what the registry is documented to do, not the backing's
        const { expected: _, ...rest } = base;
        return {
          target: {
            ...rest,
            host: proxy.host,
            plainHttp: true,
            provider: 'proxy',
            profile: p.name,
            name: p.name,
            // the version the profile describes, not the backing registry's
            version: p.version,
            namespace: p.namespace ?? rest.namespace,
          },
          stop: async () => {
            await proxy.stop();
            await reg.stop();
          },
        };
      },
    });
  }
  return plans;
}

async function remotePlans(file: string): Promise<Plan[]> {
  return (await readRegistriesFile(file)).map((entry) => ({
    id: `remote/${entry.name}`,
    title: entry.kind ?? entry.name,
    name: entry.name,
    provider: 'remote',
    auth: entry.credential ? 'credentials' : 'anonymous',
    ...(entry.kind ? { profile: entry.kind } : {}),
    async start() {
      const reg = await startRemote(entry);
      return {
        target: targetOf(reg, `remote/${entry.name}`, entry.kind ?? entry.name),
        stop: () => reg.stop(),
        cleanup: (journal) => reg.cleanup(journal),
      };
    },
  }));
}

/** conformance.cleanup: after the run, the registry holds nothing the run pushed (issue 14). */
const CLEANUP_FEATURE = {
  id: 'conformance.cleanup',
  title: 'After the run, nothing the run pushed is left on a registry it did not start',
  area: 'delete' as const,
  optional: false,
};

async function cleanupRemotes(
  running: Started[],
  journal: WriteRecord[],
  log: (s: string) => void,
): Promise<Map<string, CleanupOutcome>> {
  const out = new Map<string, CleanupOutcome>();
  for (const s of running) {
    if (!s.cleanup) continue;
    try {
      const o = await s.cleanup(journal.filter((r) => r.registry === s.target.host));
      out.set(s.target.id, o);
      log(
        `cleaned ${s.target.id}: ${o.deleted.length} deleted, ${o.refused.length} refused, ${o.left.length} left\n`,
      );
    } catch (e) {
      out.set(s.target.id, { deleted: [], refused: [], left: [`clean-up failed: ${(e as Error).message}`] });
    }
  }
  return out;
}

function cleanupRow(s: Started, o: CleanupOutcome | undefined): FeatureResult {
  const base = { registry: s.target.id, feature: CLEANUP_FEATURE.id, durationMs: 0 };
  if (!s.cleanup || !o)
    return {
      ...base,
      status: 'skip',
      detail: 'the run started this registry and discards it with its storage',
    };
  if (o.left.length)
    return {
      ...base,
      status: 'fail',
      detail: `still there after the clean-up: ${o.left.slice(0, 5).join(', ')}${o.left.length > 5 ? ` and ${o.left.length - 5} more` : ''}`,
      evidence: o.left,
    };
  if (o.refused.length)
    return {
      ...base,
      status: 'unsupported',
      detail: `the registry refuses deletes; left there: ${o.refused.slice(0, 5).join(', ')}${o.refused.length > 5 ? ` and ${o.refused.length - 5} more (see the evidence)` : ''}`,
      evidence: o.refused,
    };
  return { ...base, status: 'pass', detail: `${o.deleted.length} manifests, blobs and repositories deleted` };
}

function matches(id: string, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}(/|$)`,
    );
    return re.test(id) || id === p;
  });
}

// Registry text (setup refusals, reasons) reaches the terminal without its escape
// sequences and control characters (issue 24 N8), line breaks kept.
const printPlain = (s: string) => process.stdout.write(s.split('\n').map(plainText).join('\n'));

/** Registries started at once: their starts wait on ports and token servers more than on the CPU. */
const START_AT_ONCE = 4;
const OFFICIAL_AT_ONCE = 2;

/** A second registry for cross-registry promotion (not itself in the matrix); none if it cannot start. */
async function startPeer(starting: Limiter): Promise<Started | undefined> {
  const release = await starting.acquire();
  try {
    const reg = await startProcess(LOCAL_REGISTRIES.find((d) => d.name === 'distribution2')!);
    return { target: targetOf(reg, 'peer/distribution2', 'distribution 2.8 (peer)'), stop: () => reg.stop() };
  } catch {
    return undefined;
  } finally {
    release();
  }
}

export async function main(argv: string[], log: (s: string) => void = printPlain): Promise<number> {
  const [command, ...rest] = argv;
  let values: {
    registry?: string[];
    registries?: string;
    out?: string;
    feature?: string[];
    'fail-on'?: string;
    spec?: string;
  };
  if (command === 'submission' && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${SUBMISSION_USAGE}\n\n${SUBMISSION_HELP}`);
    return 0;
  }
  if (
    command === undefined ||
    command === '--help' ||
    command === '-h' ||
    rest.includes('--help') ||
    rest.includes('-h')
  ) {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === 'submission') return submissionMain(rest);
  try {
    if (command !== 'run')
      throw new Error(
        `unknown conformance command "${command}"; ${suggestion(command, ['run', 'submission'], 'commands')}`,
      );
    ({ values } = parseArgs({
      args: rest,
      options: {
        registry: { type: 'string', multiple: true },
        registries: { type: 'string' },
        out: { type: 'string' },
        feature: { type: 'string', multiple: true },
        'fail-on': { type: 'string' },
        spec: { type: 'string' },
      },
    }));
    if (values.spec !== undefined && values.spec !== '1.1' && values.spec !== 'next')
      throw new Error(`--spec takes 1.1 or next, not "${values.spec}"`);
    if (values['fail-on'] !== undefined && !FAIL_ON.includes(values['fail-on'] as 'fail'))
      throw new Error(`--fail-on takes fail, error or never, not "${values['fail-on']}"`);
  } catch (e) {
    const message = (e as Error).message.split('\n')[0]!;
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const names = ['--registry', '--registries', '--out', '--feature', '--fail-on', '--spec', '--help'];
    process.stderr.write(
      unknown
        ? `error: unknown option ${unknown}\nhint: ${suggestion(unknown, names, 'options')}\n`
        : `error: ${message}\n${USAGE}\n`,
    );
    return 2;
  }
  // a feature pattern that names nothing is a typo, not an empty run
  const known = [...FEATURES.map((f) => f.id), ...OFFICIAL_FEATURES.map((f) => f.id), CLEANUP_FEATURE.id];
  const unmatched = (values.feature ?? []).filter((o) => !known.some((id) => id.startsWith(o)));
  if (unmatched.length) {
    const prefixes = [...new Set(known.map((id) => id.split('.').slice(0, 2).join('.')))];
    process.stderr.write(
      `error: no feature starts with ${unmatched.map((u) => `"${u}"`).join(', ')}\nhint: ${suggestion(unmatched[0]!, prefixes, 'features start with')}\n`,
    );
    return 2;
  }
  const started = new Date();
  const spec = (values.spec ?? '1.1') as SpecLevel;
  const out = resolve(values.out ?? join('out', 'conformance'));
  const patterns = values.registry ?? [];
  // the registries this run starts keep their storage in RAM where the machine has room
  // (scratch-root.ts); OCICAT_REGISTRY_TMP, when set, says where instead
  const ram = process.env[REGISTRY_TMP_ENV] ? undefined : ramScratch();
  if (ram) process.env[REGISTRY_TMP_ENV] = ram;
  let plans: Plan[];
  try {
    const remote = values.registries ? await remotePlans(values.registries) : [];
    const all = [...(values.registries && patterns.length === 0 ? [] : localPlans()), ...remote];
    plans = all.filter((p) => matches(p.id, patterns));
    // a profile's claims are judged against its backend's own verdicts: it runs too
    // (a profile in front of a local registry; a remote entry's kind is no such profile)
    const backend = all.find((p) => p.id === BACKEND_ID);
    if (backend && plans.some((p) => p.provider === 'proxy') && !plans.includes(backend)) plans.push(backend);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  if (plans.length === 0) {
    const ids = [...(values.registries ? [] : localPlans()).map((p) => p.id)];
    process.stderr.write(
      `error: no registry matches ${patterns.join(', ')}\nhint: ${ids.length ? suggestion(patterns[0]!, ids, 'registries') : 'the registries file names none'}\n`,
    );
    return 2;
  }

  const running: Started[] = [];
  const infos: RegistryInfo[] = [];
  const unavailable = new Map<string, string>();
  /** Registries that could not be set up although they should have been: error rows. */
  const broken = new Map<string, string>();
  let peer: Started | undefined;
  let vitestNode: Promise<typeof import('vitest/node')> | undefined;
  try {
    // vitest's loader (a quarter of a second) while the registries start
    vitestNode = import('vitest/node');
    vitestNode.catch(() => undefined); // awaited where it is used
    // Started a few at a time (each start is mostly waiting for a port to answer),
    // reported in the plan's order
    const starting = new Limiter(START_AT_ONCE);
    const peerStart = startPeer(starting);
    const starts = await Promise.all(
      plans.map(async (plan): Promise<{ plan: Plan; s?: Started; e?: unknown }> => {
        const release = await starting.acquire();
        try {
          return { plan, s: await plan.start() };
        } catch (e) {
          return { plan, e };
        } finally {
          release();
        }
      }),
    );
    for (const { plan, s, e } of starts) {
      const info: RegistryInfo = {
        id: plan.id,
        title: plan.title,
        name: plan.name,
        version: '',
        provider: plan.provider,
        auth: plan.auth,
        state: 'ran',
        ...(plan.profile ? { profile: plan.profile } : {}),
      };
      if (s) {
        running.push(s);
        info.version = s.target.version;
        info.title = s.target.title; // the profiles' backend says which registry it is
        if (s.setup) info.setup = s.setup;
        log(`started ${plan.id} (${s.target.host})\n`);
      } else {
        const reason = (e as Error).message.split('\n')[0]!;
        const hint = (e as { hint?: string }).hint;
        if (e instanceof RegistryUnavailable) {
          // this machine cannot provide it (not installed, not buildable): a skip with the reason
          info.state = 'unavailable';
          info.reason = reason;
          unavailable.set(plan.id, reason);
          log(`unavailable ${plan.id}: ${reason}\n`);
        } else {
          info.state = 'error';
          info.reason = hint ? `${reason}; ${hint}` : reason;
          broken.set(plan.id, info.reason);
          log(`error ${plan.id}: ${reason}\n${hint ? `  hint: ${hint}\n` : ''}`);
        }
      }
      infos.push(info);
    }
    peer = await peerStart;

    const tmp = makeRunTmp();
    const rowsFile = join(tmp, 'rows.json');
    const journal = join(tmp, 'writes.jsonl');
    const targets: Targets = {
      targets: running.map((s) => s.target),
      ...(peer ? { peer: peer.target } : {}),
    };
    process.env[TARGETS_ENV] = JSON.stringify(targets);
    process.env.OCICAT_RESULTS_FILE = rowsFile;
    process.env[WRITES_ENV] = journal;
    if (values.feature?.length) process.env.OCICAT_CONFORMANCE_FEATURES = values.feature.join(',');
    process.env[SPEC_ENV] = spec;
    let rows: FeatureResult[] = [];
    const wanted = (id: string) => !values.feature?.length || values.feature.some((o) => id.startsWith(o));
    // The official OCI suite, a peer: with the switches a quick probe sets, beside
    // ocicat's own features (one registry's run, the suite included, within 10 s)
    const official = OFFICIAL_FEATURES.filter((f) => wanted(f.id));
    const officialWrites: WriteRecord[] = [];
    const stopOfficial = new AbortController();
    const officialDone: Promise<Map<string, OfficialRun>> = (async () => {
      const done = new Map<string, OfficialRun>();
      if (!official.length) return done;
      // two registries' suites at once: each is one request at a time, so one alone
      // leaves a core to the features; more only take CPU from them
      const slots = new Limiter(OFFICIAL_AT_ONCE);
      const runs = await Promise.all(
        running.map(async (s) => {
          const release = await slots.acquire();
          const rel = officialDir(s.target.id);
          try {
            return await probeSwitches(s.target)
              .then((off) => runOfficial(s.target, off, join(out, rel), rel, stopOfficial.signal))
              .catch((e: Error) => officialErrorRows(s.target, `the run broke: ${e.message.split('\n')[0]}`));
          } finally {
            release();
          }
        }),
      );
      for (const [i, s] of running.entries()) done.set(s.target.id, runs[i]!);
      return done;
    })();
    // Ctrl-C (or SIGTERM) midway: stop the suite's workers, delete what the run
    // pushed to registries it did not start, stop the registries, exit 130.
    let vitest: Vitest | undefined;
    let interrupted = false;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupted = true;
      log(`\n${signal}: stopping; deleting what this run pushed\n`);
      void (async () => {
        stopOfficial.abort();
        await vitest?.close().catch(() => undefined);
        const outcomes = await cleanupRemotes(running, readJournal(journal), log);
        for (const [id, o] of outcomes)
          if (o.refused.length + o.left.length)
            log(`left on ${id}: ${[...o.refused, ...o.left].join('; ')}\n`);
        for (const s of running) await s.stop().catch(() => undefined);
        await peer?.stop().catch(() => undefined);
        removeRunTmp(tmp);
        process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
      })();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
    if (running.length) {
      // what vitest's own startVitest sets before it creates the run
      process.env.TEST = 'true';
      process.env.VITEST = 'true';
      process.env.NODE_ENV ??= 'test';
      // progress on a terminal (none when piped): features done of all, per registry
      const total = running.length * featuresFor(spec).filter((f) => wanted(f.id)).length;
      let done = 0;
      let bad = 0;
      if (process.stderr.isTTY)
        (globalThis as { __ocicatConformanceProgress?: ProgressHook }).__ocicatConformanceProgress = (
          row,
        ) => {
          done++;
          if (row.status === 'fail' || row.status === 'error') bad++;
          process.stderr.write(
            `\r\x1b[2K${done}/${total} features (${running.length} registries${bad ? `, ${bad} fail or error` : ''}) · ${row.registry}: ${row.feature} ${row.status}`.slice(
              0,
              (process.stderr.columns ?? 120) - 1,
            ),
          );
        };
      const ours = {
        SIGINT: process.listeners('SIGINT'),
        SIGTERM: process.listeners('SIGTERM'),
        SIGHUP: process.listeners('SIGHUP'),
      };
      vitest = await (await vitestNode).createVitest('test', suiteConfig());
      // vitest's logger exits the process 1 ms after a signal: that would skip the clean-up
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
        for (const l of process.listeners(sig)) if (!ours[sig].includes(l)) process.off(sig, l);
      try {
        await vitest.start([]);
      } finally {
        await vitest.close();
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
      }
      // the signal handler cleans up and exits; the run's own ending must not race it
      if (interrupted) await new Promise(() => {});
      process.exitCode = 0;
      rows = JSON.parse(await readFile(rowsFile, 'utf8').catch(() => '[]')) as FeatureResult[];
    }
    const cases = new Map<string, FailedCase[]>();
    if (official.length) {
      const r = await officialDone;
      for (const [id, o] of r) {
        rows.push(...o.rows.filter((x) => wanted(x.feature)));
        cases.set(id, o.cases);
        const info = infos.find((x) => x.id === id);
        if (info && o.env) info.official = { suite: OFFICIAL_SUITE, env: o.env };
        officialWrites.push(...o.writes);
        const n = (st: string) => o.rows.filter((x) => x.status === st).length;
        log(
          `official OCI suite on ${id}: ${n('pass')} pass, ${n('fail')} fail, ${n('unsupported')} unsupported, ${n('error')} error\n`,
        );
      }
    }
    const backendTarget = running.find((s) => s.target.id === BACKEND_ID)?.target;
    if (backendTarget) rows = profileClaims(rows, `${backendTarget.name} ${backendTarget.version}`);
    const cleaned = await cleanupRemotes(running, [...readJournal(journal), ...officialWrites], log);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    removeRunTmp(tmp);

    const features: Array<Pick<Feature, 'id' | 'title' | 'area' | 'optional'>> = [
      ...featuresFor(spec).filter(
        (f) => !values.feature?.length || values.feature.some((o) => f.id.startsWith(o)),
      ),
      ...official,
      CLEANUP_FEATURE,
    ];
    for (const s of running) rows.push(cleanupRow(s, cleaned.get(s.target.id)));
    // a registry that never ran: every feature says why, as a skip (this machine
    // cannot provide it) or an error (it could not be set up)
    for (const [map, status, why] of [
      [unavailable, 'skip', 'registry unavailable'],
      [broken, 'error', 'registry setup failed'],
    ] as const)
      for (const [id, reason] of map)
        for (const f of features)
          rows.push({ registry: id, feature: f.id, status, durationMs: 0, detail: `${why}: ${reason}` });
    for (const info of infos) {
      const c = cleaned.get(info.id);
      if (c) info.cleanup = { deleted: c.deleted.length, refused: c.refused, left: c.left };
      const m = rows.find((x) => x.registry === info.id && x.feature === 'push.blob.monolithic')?.metrics;
      if (m?.pushMiBps !== undefined && m.pullMiBps !== undefined)
        info.throughput = { pushMiBps: m.pushMiBps, pullMiBps: m.pullMiBps };
    }
    // defects (one root cause each) and disagreements: after the profiles' claims are
    // judged, so that a profile is given only what its rules model
    const analysis = analyse(rows, cases, features, (id) => `${officialDir(id)}/report.html`);
    rows = analysis.rows;
    const finished = new Date();
    const results: Results = {
      schemaVersion: SCHEMA_VERSION,
      run: {
        id: `${started.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${process.pid}`,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        ocicat: JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version as string,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        spec,
      },
      registries: infos,
      features: features.map((f) => ({ id: f.id, title: f.title, area: f.area, optional: f.optional })),
      results: rows.sort(
        (a, b) => a.registry.localeCompare(b.registry) || a.feature.localeCompare(b.feature),
      ),
      defects: analysis.defects,
      disagreements: analysis.disagreements,
    };
    await writeReports(out, results);
    const count = (s: string) => rows.filter((x) => x.status === s).length;
    log(
      `\n${infos.length} registries (${unavailable.size} unavailable), ${features.length} features, ${rows.length} results: ${count('pass')} pass, ${count('fail')} fail, ${count('unsupported')} unsupported, ${count('fallback')} fallback, ${count('skip')} skip, ${count('error')} error\n`,
    );
    const withDefects = new Set(analysis.defects.map((d) => d.registry)).size;
    log(
      `${analysis.defects.length} defects on ${withDefects} registries, ${analysis.disagreements.length} disagreements with the official OCI suite\n`,
    );
    log(
      `conformance run took ${(results.run.durationMs / 1000).toFixed(1)} s\nreport: ${join(out, 'report.html')} (also report.md, junit.xml, results.json)\n`,
    );
    const failOn = (values['fail-on'] ?? 'fail') as (typeof FAIL_ON)[number];
    const gate = failOn === 'never' ? 0 : count('error') + (failOn === 'fail' ? count('fail') : 0);
    if (gate > 0)
      log(`exit 1: ${failOn === 'fail' ? 'fail or error' : 'error'} cells (--fail-on ${failOn})\n`);
    return gate > 0 ? 1 : 0;
  } finally {
    for (const s of running) await s.stop().catch(() => undefined);
    await peer?.stop().catch(() => undefined);
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
