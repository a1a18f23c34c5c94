// ocicat report diff OLD NEW      exit 1 when a cell that passed no longer does
// ocicat report merge --out DIR SHARD...   one run from shard results
// ocicat report render DIR        re-render the reports of DIR/results.json
// ocicat report history RUN... --out DIR [--previous HISTORY]   the runs as a timeline
// OLD, NEW and SHARD are results.json files or the directories holding them.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { suggestion } from '../harness/cli/help.ts';
import { type Change, diffColumns, diffResults, formatDiff } from './diff.ts';
import { buildHistory, type History, HistoryError, historySummary, type RunInput } from './history.ts';
import { renderHistoryHtml } from './history-html.ts';
import { mergeResults } from './merge.ts';
import { ResultsError, readResults } from './results.ts';
import { writeReports } from './write.ts';

const USAGE =
  'usage: ocicat report diff OLD NEW [--json] | diff RUN --registry A --registry B [--json] | merge --out DIR SHARD... | render DIR | history RUN... --out DIR [--previous HISTORY]';
const HELP: Record<string, string> = {
  diff: 'usage: ocicat report diff OLD NEW [--json]\n       ocicat report diff RUN --registry A --registry B [--json]\n\nCompare two runs (results.json or their folders); exit 1 when a cell that passed no longer does.\nWith one run and two --registry ids: what changes, feature by feature, from registry A to B (exit 1 when a feature that passes on A does not on B).\n',
  merge:
    'usage: ocicat report merge --out DIR SHARD...\n\nJoin per-registry shards into one run and write its reports to DIR.\n',
  render:
    'usage: ocicat report render DIR\n\nWrite the reports of DIR/results.json again (report.html, report.md, junit.xml, evidence).\n',
  history:
    'usage: ocicat report history RUN... --out DIR [--previous HISTORY]\n\nThe runs (report folders or their results.json; merged shards too), in the order they started, as DIR/history.json and DIR/history.html: each cell across the runs, flaky cells, regressions, fixes, changes that came with a registry upgrade, defects opened and closed. --previous continues an earlier history.json (the last 30 runs are kept). Exit 1 when a regression begins in the newest run (a flaky cell does not count).\n',
};

/** An earlier history.json, or one line saying why it cannot be continued. */
async function readHistory(path: string): Promise<History> {
  let doc: Partial<History>;
  try {
    doc = JSON.parse(await readFile(path, 'utf8')) as Partial<History>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HistoryError(`cannot read ${path}: ${code ?? 'not JSON'}`);
  }
  if (
    doc.schemaVersion !== 1 ||
    !Array.isArray(doc.runs) ||
    !Array.isArray(doc.cells) ||
    !Array.isArray(doc.defects)
  )
    throw new HistoryError(`${path}: not a history.json this ocicat reads (schemaVersion 1)`);
  return doc as History;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

async function resultsPath(p: string): Promise<string> {
  try {
    if ((await stat(p)).isDirectory()) return join(p, 'results.json');
  } catch {
    // let readResults say it cannot read it
  }
  return p;
}

export async function main(
  argv: string[],
  out = (s: string) => process.stdout.write(s),
  err = (s: string) => process.stderr.write(s),
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    out(`${USAGE}\n\n${Object.values(HELP).join('\n')}`);
    return command === undefined ? 2 : 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    if (HELP[command]) {
      out(HELP[command]!);
      return 0;
    }
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        out: { type: 'string' },
        json: { type: 'boolean' },
        registry: { type: 'string', multiple: true },
        previous: { type: 'string' },
      },
      allowPositionals: true,
    });
    if (command === 'diff') {
      const columns = values.registry ?? [];
      if (columns.length ? positionals.length !== 1 || columns.length !== 2 : positionals.length !== 2)
        throw new ResultsError(HELP.diff!.split('\n\n')[0]!.replace(/\n\s+/g, ' | '));
      const runs = await Promise.all(positionals.map(async (p) => readResults(await resultsPath(p))));
      let changes: Change[];
      if (columns.length) {
        const ids = runs[0]!.registries.map((r) => r.id);
        for (const id of columns)
          if (!ids.includes(id))
            throw new ResultsError(`the run has no registry "${id}"; ${suggestion(id, ids, 'registries')}`);
        changes = diffColumns(runs[0]!, columns[0]!, columns[1]!);
      } else changes = diffResults(runs[0]!, runs[1]!);
      out(values.json ? `${JSON.stringify(changes, null, 2)}\n` : formatDiff(changes));
      const regressions = changes.filter((c) => c.kind === 'regression').length;
      if (regressions) err(`${regressions} regression${regressions === 1 ? '' : 's'}\n`);
      return regressions ? 1 : 0;
    }
    if (command === 'merge') {
      if (!values.out || positionals.length === 0) throw new ResultsError(USAGE);
      const merged = mergeResults(
        await Promise.all(positionals.map(async (p) => readResults(await resultsPath(p)))),
      );
      await writeReports(values.out, merged);
      out(
        `merged ${positionals.length} shards: ${merged.registries.length} registries, ${merged.results.length} results -> ${join(values.out, 'report.html')}\n`,
      );
      return 0;
    }
    if (command === 'render') {
      if (positionals.length !== 1) throw new ResultsError(USAGE);
      await writeReports(positionals[0]!, await readResults(await resultsPath(positionals[0]!)));
      out(`${join(positionals[0]!, 'report.html')}\n`);
      return 0;
    }
    if (command === 'history') {
      if (!values.out || positionals.length === 0) throw new ResultsError(HELP.history!.split('\n\n')[0]!);
      const inputs: RunInput[] = [];
      for (const p of positionals) {
        const file = await resultsPath(p);
        const folder = file === p ? undefined : resolve(p);
        inputs.push({ results: await readResults(file), ...(folder ? { folder } : {}) });
      }
      const previous = values.previous ? await readHistory(values.previous) : undefined;
      const h = buildHistory(inputs, previous);
      await mkdir(values.out, { recursive: true });
      const outDir = resolve(values.out);
      // a run's folder is this machine's path: for the page's links, not for the file
      const kept = { ...h, runs: h.runs.map(({ folder: _, ...run }) => run) };
      await writeAtomic(join(outDir, 'history.json'), `${JSON.stringify(kept)}\n`);
      await writeAtomic(join(outDir, 'history.html'), renderHistoryHtml(h, outDir));
      const summary = historySummary(h);
      await writeAtomic(join(outDir, 'summary.md'), summary);
      out(`${summary.split('\n')[2]}\n${join(values.out, 'history.html')}\n`);
      const newest = h.runs.at(-1)!.id;
      const fresh = h.cells.filter((c) => c.kind === 'regression' && c.firstFailed === newest).length;
      if (fresh) err(`${fresh} regression${fresh === 1 ? '' : 's'} in the newest run\n`);
      return fresh ? 1 : 0;
    }
    throw new ResultsError(
      `unknown report command "${command}"; ${suggestion(command, Object.keys(HELP), 'commands')}`,
    );
  } catch (e) {
    const message = (e as Error).message.split('\n')[0]!;
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    err(
      unknown
        ? `error: unknown option ${unknown}\nhint: ${suggestion(unknown, ['--out', '--json', '--registry', '--help'], 'options')}\n`
        : `error: ${message}\n`,
    );
    return 2;
  }
}
