// Which bundle under dist/ may run: one whose inputs (dist/<name>.json, written
// by scripts/build.ts) all still hash to what they were built from. Plain
// JavaScript, so that bin/ocicat.js can ask before anything is compiled.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);

/** The sha256 (hex) of a file's bytes: scripts/build.ts records these, freshBundle compares them. */
export function fileSha256(pathOrUrl) {
  return createHash('sha256').update(readFileSync(pathOrUrl)).digest('hex');
}

/**
 * The URL of dist/<name>.mjs when it matches the source; undefined when stale or
 * missing. `root` is the repository's URL (ending in /).
 */
export function freshBundle(name, root = ROOT) {
  try {
    const { inputs } = JSON.parse(readFileSync(new URL(`dist/${name}.json`, root), 'utf8'));
    for (const [file, sha] of Object.entries(inputs)) {
      if (fileSha256(new URL(file, root)) !== sha) return undefined;
    }
    return new URL(`dist/${name}.mjs`, root).href;
  } catch {
    return undefined;
  }
}
