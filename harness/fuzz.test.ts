// Fuzzing the parsers with generated and mutated inputs: manifests, OCI error
// bodies, WWW-Authenticate headers, Catalog.yaml documents and tar streams. Each
// either returns or throws a typed OcicatError; nothing else escapes, and nothing
// hangs (each test has its timeout). The number of cases tried is printed.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { evil, rawTar } from '../fixtures/evil-tar.ts';
import { fcParams } from '../fixtures/fc.ts';
import { parseCatalog } from './catalog/model.ts';
import { unpackLayer } from './catalog/unpack.ts';
import { OcicatError } from './errors.ts';
import { digestOf } from './oci/digest.ts';
import { parseManifest } from './oci/manifest.ts';
import { EMPTY_JSON, OCI_INDEX, OCI_MANIFEST } from './oci/media-types.ts';
import { parseChallenges } from './remote/auth/challenge.ts';
import { parseOciErrorBody } from './remote/oci-error-body.ts';

const tried: Record<string, number> = {};
afterAll(() => {
  process.stdout.write(
    `fuzz: ${Object.entries(tried)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}\n`,
  );
});

function typedOrOk(kind: string, fn: () => unknown): void {
  tried[kind] = (tried[kind] ?? 0) + 1;
  try {
    fn();
  } catch (e) {
    if (!(e instanceof OcicatError))
      throw new Error(`${kind}: untyped ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

/** Flip, drop or insert bytes in a valid input. */
const mutate = (base: Buffer) =>
  fc
    .array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.constantFrom('flip', 'drop', 'insert')), {
      minLength: 1,
      maxLength: 8,
    })
    .map((ops) => {
      let b = Buffer.from(base);
      for (const [pos, v, op] of ops) {
        const i = b.length ? pos % b.length : 0;
        if (op === 'flip') b[i] = v;
        else if (op === 'drop') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
        else b = Buffer.concat([b.subarray(0, i), Buffer.from([v]), b.subarray(i)]);
      }
      return b;
    });

const layer = { mediaType: 'application/octet-stream', digest: digestOf('x'), size: 1 };
const validManifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: EMPTY_JSON,
    layers: [layer],
    annotations: { a: 'b' },
  }),
);
const validIndex = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ ...layer, mediaType: OCI_MANIFEST }],
  }),
);

describe('fuzzing the parsers', () => {
  it('manifests', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mutate(validManifest),
          mutate(validIndex),
          fc.json().map((j) => Buffer.from(j)),
          fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)),
          fc.anything().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        ),
        fc.option(fc.constantFrom(OCI_MANIFEST, OCI_INDEX, 'text/plain', 'application/json')),
        (bytes, ct) => {
          typedOrOk('manifests', () => parseManifest(bytes, ct ?? undefined));
        },
      ),
      fcParams(4000),
    );
  });

  it('OCI error bodies never throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.anything().map((v) => JSON.stringify({ errors: v }) ?? ''),
        ),
        (text) => {
          tried['error bodies'] = (tried['error bodies'] ?? 0) + 1;
          expect(Array.isArray(parseOciErrorBody(text))).toBe(true);
        },
      ),
      fcParams(3000),
    );
  });

  it('WWW-Authenticate headers', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'Bearer',
        'Basic',
        'realm',
        'service',
        'scope',
        '=',
        '"',
        ',',
        ' ',
        '\\',
        'x==',
        'a/b',
        ':',
      ),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 20 }).map((p) => p.join('')),
        (h) => {
          typedOrOk('challenge headers', () => parseChallenges(h));
        },
      ),
      fcParams(4000),
    );
  });

  it('Catalog.yaml documents', () => {
    const valid =
      'apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: x\nspec:\n  version: 1.0.0\n';
    fc.assert(
      fc.property(
        fc.oneof(
          mutate(Buffer.from(valid)).map((b) => b.toString('utf8')),
          fc.string({ maxLength: 200 }),
          fc.anything().map((v) => JSON.stringify(v) ?? ''),
        ),
        (text) => {
          typedOrOk('Catalog.yaml documents', () => parseCatalog(text));
        },
      ),
      fcParams(3000),
    );
  });

  it('tar streams (dry-run unpack)', async () => {
    const base = rawTar([
      { path: 'c/', type: '5' },
      { path: 'c/a.txt', body: Buffer.from('hello') },
      { path: 'c/l', type: '2', link: 'a.txt' },
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutate(base).map((b) => gzipSync(b)),
          mutate(gzipSync(base)),
          fc.constant(evil('c', [{ path: 'c/../x' }])),
          fc.uint8Array({ maxLength: 2048 }).map((u) => Buffer.from(u)),
        ),
        async (layer) => {
          tried['tar streams'] = (tried['tar streams'] ?? 0) + 1;
          try {
            await unpackLayer(
              (async function* () {
                yield layer;
              })(),
              layer.length,
              'c',
              '/nonexistent/target',
              { dryRun: true },
            );
          } catch (e) {
            if (!(e instanceof OcicatError))
              throw new Error(`untyped ${(e as Error)?.name}: ${(e as Error)?.message}`);
          }
        },
      ),
      fcParams(1500),
    );
  }, 120_000);
});
