#!/usr/bin/env node
// The ocicat CLI. The code is TypeScript; scripts/build.ts bundles each command
// tree into dist/<name>.mjs. In the repository a bundle runs while it still
// matches the source (bin/fresh-bundle.js), the source otherwise, through Node's
// type stripping (22.18+; `npx ocicat` there uses the node@24 devDependency). An
// installed package (npm pack) carries only the bundles, which run on any Node
// its "engines" accepts.
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freshBundle } from './fresh-bundle.js';

// Node's on-disk cache of compiled code (22.1+; a no-op before): the bundle is not
// compiled again on every command (issue 28, start-up; npm run bench:startup). In
// the user's cache folder, not TMPDIR: a run leaves nothing in the temporary folder
// (issue 24 N10); a folder it cannot write just means no cache.
try {
  module.enableCompileCache?.(
    process.env.NODE_COMPILE_CACHE ??
      join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ocicat', 'node-compile-cache'),
  );
} catch {
  // no cache
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
  process.stdout.write(`ocicat ${pkg.version}\n`);
  process.exit(0);
}

// conformance and report live outside harness/ (they start registries and read
// suites' results; harness imports none of that), so they are routed here.
const [bundle, source] =
  argv[0] === 'conformance'
    ? ['conformance', '../scripts/conformance.ts']
    : argv[0] === 'report'
      ? ['report', '../reports/cli.ts']
      : ['cli', '../harness/cli/main.ts'];
// "engines": ^20.19.0 || >=22.12.0 (vitest's and vite's own range); npm installs
// on any Node, so the command says it before something fails obscurely.
const [major, minor] = process.versions.node.split('.').map(Number);
if (!((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23)) {
  process.stderr.write(`error: ocicat needs Node ${pkg.engines.node}, this is ${process.version}\n`);
  process.exit(1);
}
const fromSource = existsSync(new URL(source, import.meta.url));
let entry = fromSource ? freshBundle(bundle) : new URL(`../dist/${bundle}.mjs`, import.meta.url).href;
if (!entry) {
  if (major < 22 || (major === 22 && minor < 18)) {
    process.stderr.write(
      `error: running ocicat from its source needs Node 22.18 or newer, this is ${process.version}\nhint: "npm run build" bundles it for any Node ${pkg.engines.node}, or run it as "npx ocicat" from the repository (it brings Node 24)\n`,
    );
    process.exit(1);
  }
  entry = source;
}
// A reader that went away (`ocicat catalog list | head -1`) ends the command
// quietly, as a closed pipe ends cat or git, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const mod = await import(entry);
if (bundle === 'cli') mod.installInterruptHandler();
// Not awaited at the top level: a command that stalls (the event loop empties while
// it waits) would end with exit 13 and only Node's "unsettled top-level await"
// warning. 'beforeExit' sees it and says so (main.ts stalled()).
let settled = false;
process.on('beforeExit', () => {
  if (settled) return;
  if (mod.stalled) mod.stalled();
  process.stderr.write('error: the command stopped before it finished\n');
  process.exit(1);
});
// Once the command has returned, a socket or timer left behind (a request of a
// failed copy still in flight) may not hold the process: it ends within 2 s.
const finish = () => setTimeout(() => process.exit(), 2000).unref();
mod.main(bundle === 'cli' ? argv : argv.slice(1)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
    finish();
  },
  (e) => {
    settled = true;
    process.stderr.write(`error: ${e?.message ?? e}\n`);
    process.exitCode = 1;
    finish();
  },
);
