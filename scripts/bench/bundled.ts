// The benchmark's client processes run bundled, as the CLI does for users
// (scripts/build.ts): build, then the path of dist/<name>.mjs.
// @ts-expect-error plain JavaScript, without types
import { freshBundle } from '../../bin/fresh-bundle.js';
import { buildAll } from '../build.ts';

export async function bundledOp(
  name: 'bench-artifact-op' | 'bench-blob-op' | 'bench-large-op',
): Promise<string> {
  await buildAll();
  const url = freshBundle(name) as string | undefined;
  if (!url) throw new Error(`dist/${name}.mjs is missing or stale after the build`);
  return new URL(url).pathname;
}
