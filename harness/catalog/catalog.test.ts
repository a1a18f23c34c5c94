import { describe, expect, it } from 'vitest';
import { isOcicatError } from '../errors.ts';
import { parseCatalog } from './model.ts';
import { checkVersion, compareVersions, isStrictVersion, versionProblem } from './version.ts';

describe('version rules', () => {
  it.each(['0.0.0', '1.2.3', '10.20.30', '0.1.0', `${'9'.repeat(30)}.0.1`])('accepts %s', (v) => {
    expect(isStrictVersion(v)).toBe(true);
  });

  it.each([
    ['v1.2.3', /"v" prefix/],
    ['V1.2.3', /"v" prefix/],
    ['1.2.3-rc.1', /pre-release/],
    ['1.2.3-alpha', /pre-release/],
    ['1.2.3+build.5', /build metadata/],
    ['1.2.3-rc.1+b', /build metadata/],
    ['01.2.3', /leading zero/],
    ['1.02.3', /leading zero/],
    ['1.2.03', /leading zero/],
    ['1.2', /2 parts/],
    ['1', /1 part;/],
    ['1.2.3.4', /4 parts/],
    ['1..3', /empty part/],
    [' 1.2.3', /whitespace/],
    ['1.2.3\n', /whitespace/],
    ['1.2.x', /not a number/],
    ['١.٢.٣', /non-ASCII digits/],
    ['１.2.3', /non-ASCII digits/],
    ['', /empty/],
  ])('refuses %j and says why', (v, why) => {
    expect(versionProblem(v)).toMatch(why);
    let err: unknown;
    try {
      checkVersion(v);
    } catch (e) {
      err = e;
    }
    expect(isOcicatError(err, 'INVALID_VERSION')).toBe(true);
  });

  it('orders numerically, beyond 2^53', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1);
    expect(compareVersions('0.0.1', '0.0.1')).toBe(0);
    expect(compareVersions('9007199254740993.0.0', '9007199254740992.0.0')).toBe(1);
    expect(compareVersions('1.2.3', '2.0.0')).toBe(-1);
  });
});

const good = `apiVersion: kubara.io/v1alpha1
kind: Catalog
metadata:
  name: platform
  annotations:
    team: core
spec:
  version: 1.2.3
`;

describe('Catalog.yaml', () => {
  it('reads a valid document', () => {
    const c = parseCatalog(good);
    expect(c.metadata).toEqual({ name: 'platform', annotations: { team: 'core' } });
    expect(c.spec.version).toBe('1.2.3');
  });

  it.each([
    [
      'apiVersion',
      good.replace('kubara.io/v1alpha1', 'kubara.io/v2'),
      'INVALID_CATALOG',
      /apiVersion must be kubara.io\/v1alpha1/,
    ],
    ['kind', good.replace('kind: Catalog', 'kind: Service'), 'INVALID_CATALOG', /kind must be Catalog/],
    [
      'missing metadata',
      good.replace(/metadata:[\s\S]*?spec:/, 'spec:'),
      'INVALID_CATALOG',
      /metadata is required/,
    ],
    ['missing name', good.replace('  name: platform\n', ''), 'INVALID_CATALOG', /metadata.name is required/],
    ['uppercase name', good.replace('name: platform', 'name: Platform'), 'INVALID_CATALOG', /RFC 1123/],
    ['name ending in -', good.replace('name: platform', 'name: platform-'), 'INVALID_CATALOG', /RFC 1123/],
    [
      'name starting with a digit',
      good.replace('name: platform', 'name: 1platform'),
      'INVALID_CATALOG',
      /RFC 1123/,
    ],
    ['name of 64', good.replace('name: platform', `name: ${'a'.repeat(64)}`), 'INVALID_CATALOG', /RFC 1123/],
    [
      'annotation not a string',
      good.replace('team: core', 'team: 3'),
      'INVALID_CATALOG',
      /annotations\["team"\] must be a string/,
    ],
    [
      'annotations a list',
      good.replace('    team: core', '    - x'),
      'INVALID_CATALOG',
      /annotations must be a mapping/,
    ],
    ['missing spec', good.replace(/spec:[\s\S]*/, ''), 'INVALID_CATALOG', /spec is required/],
    [
      'missing version',
      good.replace('  version: 1.2.3\n', '  other: 1\n'),
      'INVALID_VERSION',
      /spec.version null is required/,
    ],
    ['version as a number', good.replace('version: 1.2.3', 'version: 1.2'), 'INVALID_VERSION', /2 parts/],
    ['v prefix', good.replace('version: 1.2.3', 'version: v1.2.3'), 'INVALID_VERSION', /"v" prefix/],
    ['duplicate keys', `${good}spec:\n  version: 1.0.0\n`, 'INVALID_CATALOG', /malformed/],
    ['not a mapping', '- a\n- b\n', 'INVALID_CATALOG', /must be a mapping/],
    ['broken YAML', 'apiVersion: [\n', 'INVALID_CATALOG', /malformed/],
    [
      'alias bomb',
      `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`,
      'INVALID_CATALOG',
      /cannot be read|must be/,
    ],
  ])('refuses %s with one clear line', (_what, text, code, message) => {
    let err: unknown;
    try {
      parseCatalog(text, 'Catalog.yaml');
    } catch (e) {
      err = e;
    }
    expect(isOcicatError(err, code as 'INVALID_CATALOG')).toBe(true);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});
