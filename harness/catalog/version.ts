// Catalog versions (DESIGN "Catalog format"): strict x.y.z, ASCII digits, no
// leading zeros, no "v", no pre-release, no build metadata. Ordering is semver's
// for such versions (numeric per part), on BigInt so parts beyond 2^53 compare right.
import { OcicatError } from '../errors.ts';

export const VERSION_RE = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

/** Why a string is not a strict x.y.z version, or undefined when it is one. */
export function versionProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be a string like 1.2.3';
  if (v === '') return 'is empty';
  if (VERSION_RE.test(v)) return undefined;
  if (v !== v.trim() || /\s/.test(v)) return 'contains whitespace';
  if (/^[vV]/.test(v)) return 'has a "v" prefix (write 1.2.3, not v1.2.3)';
  if (v.includes('+')) return 'has build metadata ("+..."), which catalog versions do not allow';
  if (v.includes('-')) return 'has a pre-release part ("-..."), which catalog versions do not allow';
  const parts = v.split('.');
  if (parts.length < 3)
    return `has ${parts.length} part${parts.length === 1 ? '' : 's'}; a version is major.minor.patch`;
  if (parts.length > 3) return `has ${parts.length} parts; a version is major.minor.patch`;
  if (parts.some((p) => p === '')) return 'has an empty part';
  if (parts.some((p) => /[^\x00-\x7f]/.test(p) && /^\p{Nd}+$/u.test(p))) return 'uses non-ASCII digits';
  if (parts.some((p) => !/^[0-9]+$/.test(p))) return 'has a part that is not a number';
  if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return 'has a leading zero';
  return 'is not a version like 1.2.3';
}

export function isStrictVersion(v: unknown): v is string {
  return versionProblem(v) === undefined;
}

export function checkVersion(v: unknown, where = 'version'): string {
  const problem = versionProblem(v);
  if (problem) {
    throw new OcicatError('INVALID_VERSION', `${where} ${JSON.stringify(v)} ${problem}`, {
      hint: 'catalog versions are strict x.y.z: digits, no leading zeros, no prefix or suffix',
    });
  }
  return v as string;
}

export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = checkVersion(a).split('.').map(BigInt);
  const pb = checkVersion(b).split('.').map(BigInt);
  for (let i = 0; i < 3; i++) {
    if (pa[i]! < pb[i]!) return -1;
    if (pa[i]! > pb[i]!) return 1;
  }
  return 0;
}
