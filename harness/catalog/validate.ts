// `catalog validate` and the check `catalog package` makes before it caches
// anything: Catalog.yaml and every *.yaml/*.yml below services/ by kubara's loader
// rules (model.ts, service.ts), duplicate service names refused as kubara does
// ("duplicate service definition"). Warnings, never failures, for what kubara
// cannot consume: a symlink (kubara's `catalog unpackage` refuses it:
// "cached catalog contains unsupported symlink", vector `linked`) and a chartPath
// with no chart under platform-components/helm/.
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { OcicatError } from '../errors.ts';
import { readCatalogText } from './catalog-fs.ts';
import { isGitFolder } from './fold-name.ts';
import { type Catalog, readCatalog } from './model.ts';
import { parseServiceDefinition, type ServiceDefinition } from './service.ts';

export interface Validated {
  catalog: Catalog;
  services: Array<{ file: string; definition: ServiceDefinition }>;
  warnings: string[];
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every entry below `dir` (relative posix paths), links not followed. */
async function walk(dir: string, rel = ''): Promise<Array<{ rel: string; entry: Dirent }>> {
  const out: Array<{ rel: string; entry: Dirent }> = [];
  const entries = (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) =>
    byBytes(a.name, b.name),
  );
  for (const e of entries) {
    const r = rel ? posix.join(rel, e.name) : e.name;
    out.push({ rel: r, entry: e });
    if (isGitFolder(e.name)) continue; // never packaged (pack.ts): nothing below it matters
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
  }
  return out;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isFile();
  } catch {
    return false;
  }
}

export async function validateCatalog(dir: string): Promise<Validated> {
  const catalog = await readCatalog(dir);
  const tree = await walk(dir);
  const warnings = tree.flatMap((t) =>
    isGitFolder(t.entry.name)
      ? [
          `${t.rel} is left out: a ".git" folder is never packaged (unpacked, its config and hooks would run on the consumer's next git command)`,
        ]
      : t.entry.isSymbolicLink()
        ? [`${t.rel} is a symlink: kubara's catalog unpackage refuses catalogs that hold one`]
        : [],
  );
  const services: Validated['services'] = [];
  const byName = new Map<string, string>();
  for (const { rel, entry } of tree) {
    if (!rel.startsWith('services/') || !/\.ya?ml$/.test(rel)) continue;
    if (entry.isDirectory()) continue;
    const definition = parseServiceDefinition(await readCatalogText(dir, rel), rel);
    const name = definition.metadata.name;
    const first = byName.get(name);
    if (first !== undefined)
      throw new OcicatError(
        'INVALID_CATALOG',
        `duplicate service definition "${name}" in ${first} and ${rel}`,
      );
    byName.set(name, rel);
    services.push({ file: rel, definition });
    const chart = posix.join('platform-components/helm', definition.spec.chartPath);
    if (!(await isFile(join(dir, chart, 'Chart.yaml'))))
      warnings.push(
        `${rel}: chartPath "${definition.spec.chartPath}" names no chart (no ${chart}/Chart.yaml)`,
      );
  }
  return { catalog, services, warnings };
}
