// Run a composite GitHub Action's steps here as the runner would (issue 16):
// its `run:` scripts in bash with the step's env, `${{ }}` expressions evaluated
// (inputs with their defaults, github.action_path, steps.<id>.outputs, `||`),
// `if:` conditions (`always()`, `<expr> != ''`), GITHUB_OUTPUT, GITHUB_ENV,
// GITHUB_PATH and GITHUB_STEP_SUMMARY files. `uses:` steps are recorded with
// their evaluated `with:` for the test to check. An expression this runner does
// not know is an error, so the test and action.yml cannot drift apart silently.
// A workflow's job runs the same way (runWorkflowJob): its steps in order, run
// steps in bash, `hashFiles()` in conditions; steps the test cannot run here (an
// npm install of the whole project) are skipped by a predicate that says why.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';

export interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}

interface ActionFile {
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

export interface StepRun {
  label: string;
  /** Exit code of a run step; undefined when skipped or a `uses` step. */
  code?: number;
  skipped: boolean;
  uses?: string;
  with?: Record<string, string>;
  output: string;
}

export interface ActionRun {
  steps: StepRun[];
  /** The job failed (a step exited non-zero). */
  failed: boolean;
  summary: string;
  outputs: Record<string, string>;
  /** GITHUB_ENV as the steps left it. */
  env: Record<string, string>;
}

export async function readAction(file: string): Promise<ActionFile> {
  return parse(await readFile(file, 'utf8')) as ActionFile;
}

export async function runAction(
  file: string,
  o: {
    inputs: Record<string, string>;
    actionPath: string;
    workspace: string;
    runnerTemp: string;
    env?: NodeJS.ProcessEnv;
  },
): Promise<ActionRun> {
  const action = await readAction(file);
  if (action.runs.using !== 'composite') throw new Error(`not a composite action: ${action.runs.using}`);
  for (const k of Object.keys(o.inputs))
    if (!(k in action.inputs)) throw new Error(`no input ${k} in ${file}`);
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) inputs[k] = o.inputs[k] ?? v.default ?? '';
  return runSteps(action.runs.steps, { ...o, inputs, outputs: action.outputs, composite: true });
}

/** One job of a workflow file (.github/workflows/*.yml), run as the runner would. */
export async function runWorkflowJob(
  file: string,
  job: string,
  o: {
    workspace: string;
    runnerTemp: string;
    env?: NodeJS.ProcessEnv;
    /** A reason to skip a step here (recorded as skipped), or undefined to run it. */
    skip?: (step: Step) => string | undefined;
  },
): Promise<ActionRun> {
  const wf = parse(await readFile(file, 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const steps = wf.jobs[job]?.steps;
  if (!steps) throw new Error(`no job ${job} in ${file}`);
  return runSteps(steps, { ...o, inputs: {}, outputs: {}, actionPath: o.workspace, composite: false });
}

async function runSteps(
  steps: Step[],
  o: {
    inputs: Record<string, string>;
    outputs: Record<string, { value: string }>;
    actionPath: string;
    workspace: string;
    runnerTemp: string;
    env?: NodeJS.ProcessEnv;
    composite: boolean;
    skip?: (step: Step) => string | undefined;
  },
): Promise<ActionRun> {
  const inputs = o.inputs;
  const outputs: Record<string, Record<string, string>> = {};
  const jobEnv: Record<string, string> = {};
  const paths: string[] = [];
  await mkdir(o.runnerTemp, { recursive: true });
  const summaryFile = join(o.runnerTemp, 'step-summary.md');
  await writeFile(summaryFile, '');

  const value = (expr: string): string => {
    const e = expr.trim();
    if (e.includes('||')) {
      for (const part of e.split('||')) {
        const v = value(part);
        if (v) return v;
      }
      return '';
    }
    let m = e.match(/^inputs\.([\w-]+)$/);
    if (m) {
      if (!(m[1]! in inputs)) throw new Error(`no input ${m[1]}`);
      return inputs[m[1]!]!;
    }
    if (e === 'github.action_path') return o.actionPath;
    // hashFiles('path'): '' when no file matches (one literal path here)
    const h = e.match(/^hashFiles\('([^'*?]+)'\)$/);
    if (h) {
      const f = join(o.workspace, h[1]!);
      return existsSync(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : '';
    }
    m = e.match(/^steps\.([\w-]+)\.outputs\.([\w-]+)$/);
    if (m) return outputs[m[1]!]?.[m[2]!] ?? '';
    if (/^'[^']*'$/.test(e)) return e.slice(1, -1);
    throw new Error(`an expression this runner does not know: ${e}`);
  };
  const interpolate = (s: string) => s.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => value(e));
  const condition = (cond: string | undefined, failed: boolean): boolean => {
    if (cond === undefined) return !failed;
    const c = cond
      .trim()
      .replace(/^\$\{\{(.*)\}\}$/, '$1')
      .trim();
    if (c === 'always()') return true;
    const m = c.match(/^(.*?)\s*(!=|==)\s*(.*)$/);
    if (m) return !failed && (value(m[1]!) === value(m[3]!)) === (m[2] === '==');
    throw new Error(`a condition this runner does not know: ${cond}`);
  };

  const runs: StepRun[] = [];
  let failed = false;
  let n = 0;
  for (const step of steps) {
    const label = step.id ?? step.name ?? step.uses ?? `step ${n}`;
    n++;
    if (!condition(step.if, failed)) {
      runs.push({ label, skipped: true, output: '' });
      continue;
    }
    const why = o.skip?.(step);
    if (why) {
      runs.push({ label, skipped: true, output: why });
      continue;
    }
    if (step.uses) {
      const w: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.with ?? {})) w[k] = interpolate(String(v));
      runs.push({ label, skipped: false, uses: step.uses, with: w, output: '' });
      continue;
    }
    // a workflow's run steps default to bash on Linux runners; a composite's must say so
    if (o.composite ? step.shell !== 'bash' : (step.shell ?? 'bash') !== 'bash')
      throw new Error(`${label}: run steps need shell: bash`);
    const outFile = join(o.runnerTemp, `output-${n}`);
    const envFile = join(o.runnerTemp, `env-${n}`);
    const pathFile = join(o.runnerTemp, `path-${n}`);
    for (const f of [outFile, envFile, pathFile]) await writeFile(f, '');
    const stepEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = interpolate(String(v));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...o.env,
      ...jobEnv,
      PATH: [...paths, o.env?.PATH ?? process.env.PATH ?? ''].join(delimiter),
      ...stepEnv,
      GITHUB_ACTION_PATH: o.actionPath,
      GITHUB_WORKSPACE: o.workspace,
      RUNNER_TEMP: o.runnerTemp,
      GITHUB_OUTPUT: outFile,
      GITHUB_ENV: envFile,
      GITHUB_PATH: pathFile,
      GITHUB_STEP_SUMMARY: summaryFile,
    };
    // as the runner does: bash --noprofile --norc -eo pipefail {0}
    const script = join(o.runnerTemp, `step-${n}.sh`);
    await writeFile(script, interpolate(step.run ?? ''));
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
        cwd: o.workspace,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
      });
      child.stderr.on('data', (d) => {
        text += d;
      });
      child.on('close', (c) => resolve({ code: c ?? 1, output: text }));
    });
    runs.push({ label, skipped: false, code, output });
    if (step.id) outputs[step.id] = keyValues(await readFile(outFile, 'utf8'));
    Object.assign(jobEnv, keyValues(await readFile(envFile, 'utf8')));
    paths.unshift(...(await readFile(pathFile, 'utf8')).split('\n').filter(Boolean).reverse());
    if (code !== 0) failed = true;
  }
  const actionOutputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.outputs)) actionOutputs[k] = interpolate(v.value);
  return {
    steps: runs,
    failed,
    summary: await readFile(summaryFile, 'utf8'),
    outputs: actionOutputs,
    env: jobEnv,
  };
}

/** name=value lines (the one-line form of GITHUB_OUTPUT and GITHUB_ENV). */
function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}
