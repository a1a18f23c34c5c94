#!/usr/bin/env node
// The ocicat CLI. The code is TypeScript; `npm run setup` (and `npm test`) bundle it
// into dist/cli.mjs (scripts/build.ts), which runs when it still matches the
// source; otherwise the source runs through Node's type stripping (22.18+, 24
// recommended: `npx ocicat` from the repository uses the node@24 devDependency).
import { freshBundle } from './fresh-bundle.js';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `error: ocicat needs Node 22.18 or newer, this is ${process.version}\nhint: run it as "npx ocicat" from the repository (it brings Node 24)\n`,
  );
  process.exit(1);
}

const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`ocicat ${pkg.version}\n`);
  process.exit(0);
}
// conformance and report live outside harness/ (they start registries and read
// suites' results; harness imports none of that), so they are routed here.
if (argv[0] === 'conformance') {
  const { main } = await import('../scripts/conformance.ts');
  process.exitCode = await main(argv.slice(1));
} else if (argv[0] === 'report') {
  const { main } = await import('../reports/cli.ts');
  process.exitCode = await main(argv.slice(1));
} else {
  const { main, installInterruptHandler } = await import(freshBundle('cli') ?? '../harness/cli/main.ts');
  installInterruptHandler();
  process.exitCode = await main(argv);
}
