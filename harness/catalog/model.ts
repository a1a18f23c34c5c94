// Catalog.yaml (DESIGN "Catalog format", kubara-compatible):
//   apiVersion: kubara.io/v1alpha1
//   kind: Catalog
//   metadata: { name: <RFC 1123 label>, annotations?: {string: string} }
//   spec: { version: <x.y.z>, ... }
import { join } from 'node:path';
import { OcicatError } from '../errors.ts';
import { readCatalogText } from './catalog-fs.ts';
import { versionProblem } from './version.ts';
import { parseYaml } from './yaml-doc.ts';

export const API_VERSION = 'kubara.io/v1alpha1';
export const KIND = 'Catalog';
export const CATALOG_FILE = 'Catalog.yaml';
export const NAME_RE = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface Catalog {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { version: string; [key: string]: unknown };
}

function bad(file: string, field: string, why: string): OcicatError {
  return new OcicatError('INVALID_CATALOG', `${file}: ${field} ${why}`);
}

export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is required';
  if (!NAME_RE.test(name))
    return `"${name}" is not an RFC 1123 label (lowercase letters, digits and "-", starting with a letter, at most 63)`;
  return undefined;
}

export function parseCatalog(text: string, file = CATALOG_FILE): Catalog {
  const data = parseYaml(text, file);
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw bad(file, 'document', 'must be a mapping');
  const d = data as Record<string, unknown>;
  if (d.apiVersion !== API_VERSION)
    throw bad(file, 'apiVersion', `must be ${API_VERSION} (got ${JSON.stringify(d.apiVersion)})`);
  if (d.kind !== KIND) throw bad(file, 'kind', `must be ${KIND} (got ${JSON.stringify(d.kind)})`);
  const md = d.metadata;
  if (typeof md !== 'object' || md === null || Array.isArray(md)) throw bad(file, 'metadata', 'is required');
  const m = md as Record<string, unknown>;
  const np = nameProblem(m.name);
  if (np) throw bad(file, 'metadata.name', np);
  if (m.annotations !== undefined && m.annotations !== null) {
    if (typeof m.annotations !== 'object' || Array.isArray(m.annotations))
      throw bad(file, 'metadata.annotations', 'must be a mapping of strings');
    for (const [k, v] of Object.entries(m.annotations as Record<string, unknown>)) {
      if (typeof v !== 'string')
        throw bad(file, `metadata.annotations["${k}"]`, 'must be a string (quote it)');
    }
  }
  const spec = d.spec;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw bad(file, 'spec', 'is required');
  const version = (spec as Record<string, unknown>).version;
  const vp = versionProblem(typeof version === 'number' ? String(version) : version);
  if (vp) {
    throw new OcicatError(
      'INVALID_VERSION',
      `${file}: spec.version ${JSON.stringify(version ?? null)} ${version === undefined ? 'is required' : vp}`,
      {
        hint: 'catalog versions are strict x.y.z: digits, no leading zeros, no prefix or suffix',
      },
    );
  }
  return data as Catalog;
}

export async function readCatalog(dir: string): Promise<Catalog> {
  const file = join(dir, CATALOG_FILE);
  let text: string;
  try {
    text = await readCatalogText(dir, CATALOG_FILE);
  } catch (e) {
    if (e instanceof OcicatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new OcicatError(
      'INVALID_CATALOG',
      code === 'ENOENT' ? `no ${CATALOG_FILE} in ${dir}` : `cannot read ${file}: ${code}`,
      {
        hint: code === 'ENOENT' ? 'create one with: ocicat catalog create <name>' : undefined,
      },
    );
  }
  return parseCatalog(text, file);
}
