// Properties of references: parse(format(x)) = x for generated references, and
// the parser accepts exactly the distribution-spec grammar for names and tags.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../fixtures/fc.ts';
import { formatReference, parseReference } from './reference.ts';

// distribution-spec 1.1, "Pulling manifests": the grammar as the spec writes it (the oracle)
const SPEC_NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const SPEC_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const alnum = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const sep = fc.constantFrom('.', '_', '__', '-', '--', '---');
const component = fc
  .tuple(alnum, fc.array(fc.tuple(sep, alnum), { maxLength: 3 }))
  .map(([a, rest]) => a + rest.map(([s, b]) => s + b).join(''));
const repository = fc.array(component, { minLength: 1, maxLength: 4 }).map((c) => c.join('/'));
const tag = fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.')),
  fc.constant('127.0.0.1'),
  fc.constant('[::1]'),
);
const registry = fc
  .tuple(host, fc.option(fc.integer({ min: 1, max: 65535 })))
  .map(([h, p]) => (p === null ? h : `${h}:${p}`));

describe('references (properties)', () => {
  it('parse(format(x)) = x', () => {
    fc.assert(
      fc.property(registry, repository, fc.option(tag), fc.option(digest), (reg, repo, t, d) => {
        const ref = {
          registry: reg,
          repository: repo,
          ...(t === null ? {} : { tag: t }),
          ...(d === null ? {} : { digest: d }),
        };
        expect(parseReference(formatReference(ref))).toEqual(ref);
      }),
      fcParams(3000),
    );
  });

  const nameish = fc.stringMatching(/^[a-zA-Z0-9._\-/]{1,40}$/);
  it('accepts exactly the spec grammar for repository names', () => {
    fc.assert(
      fc.property(fc.oneof(repository, nameish), (name) => {
        let accepted = true;
        try {
          parseReference(`oci://registry.test/${name}`);
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(SPEC_NAME.test(name));
      }),
      fcParams(3000),
    );
  });

  const tagish = fc.stringMatching(/^[a-zA-Z0-9._\-+~]{1,130}$/);
  it('accepts exactly the spec grammar for tags', () => {
    fc.assert(
      fc.property(fc.oneof(tag, tagish), (t) => {
        let accepted = true;
        try {
          parseReference(`oci://registry.test/repo:${t}`);
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(SPEC_TAG.test(t));
      }),
      fcParams(3000),
    );
  });
});
