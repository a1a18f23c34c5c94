#!/usr/bin/env node
// The ocicat CLI. The code is TypeScript run by Node's type stripping (22.18+,
// 24 recommended: `npx ocicat` from the repository uses the node@24 devDependency).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `error: ocicat needs Node 22.18 or newer, this is ${process.version}\nhint: run it as "npx ocicat" from the repository (it brings Node 24)\n`,
  );
  process.exit(1);
}
const { main, installInterruptHandler } = await import('../harness/cli/main.ts');
installInterruptHandler();
process.exitCode = await main(process.argv.slice(2));
