// Property (issue 18): for generated archives of folders, files and links whose
// targets climb and descend through each other, an unpack that succeeds has made
// nothing that resolves outside its root, and vetting (dry run) and unpacking
// reach the same verdict on every input.
import { mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evil } from '../../fixtures/evil-tar.ts';
import { fcParams } from '../../fixtures/fc.ts';
import { snapshot } from '../../fixtures/tree.ts';
import { unpackLayer } from './unpack.ts';

const part = fc.constantFrom('a', 'b', 'c');
const entry = fc.oneof(
  fc.record({ kind: fc.constant('dir' as const), path: fc.array(part, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('file' as const), path: fc.array(part, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    kind: fc.constant('link' as const),
    path: fc.array(part, { minLength: 1, maxLength: 3 }),
    target: fc.array(fc.constantFrom('..', '.', 'a', 'b', 'c'), { minLength: 1, maxLength: 4 }),
  }),
);

async function outcome(layer: Buffer, target: string, dryRun: boolean): Promise<string> {
  try {
    await unpackLayer(
      (async function* () {
        yield layer;
      })(),
      layer.length,
      't',
      target,
      { dryRun },
    );
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

let sandbox: string;
beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'ocicat-guard-'));
});
afterAll(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

describe('extraction never escapes its root', () => {
  it('whatever the links, and vetting agrees with unpacking', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 8 }), async (entries) => {
        const layer = evil(
          't',
          entries.map((e) =>
            e.kind === 'dir'
              ? { path: `t/${e.path.join('/')}/`, type: '5' }
              : e.kind === 'file'
                ? { path: `t/${e.path.join('/')}`, body: Buffer.from('x') }
                : { path: `t/${e.path.join('/')}`, type: '2', link: e.target.join('/') },
          ),
        );
        // deep inside the sandbox, so an escape would land where it can be seen
        const parent = join(sandbox, String(n++), 'x', 'y');
        await mkdir(parent, { recursive: true });
        const root = join(parent, 'out');
        const dry = await outcome(layer, root, true);
        const real = await outcome(layer, root, false);
        expect(real).toBe(dry);
        if (real !== 'ok') {
          expect(await readdir(parent)).toEqual([]); // nothing half written
          return;
        }
        const rootReal = await realpath(root);
        for (const node of await snapshot(root)) {
          if (node.type !== 'symlink') continue;
          let resolved: string;
          try {
            resolved = await realpath(join(root, node.path));
          } catch (e) {
            expect(['ENOENT', 'ENOTDIR', 'ELOOP']).toContain((e as NodeJS.ErrnoException).code);
            continue;
          }
          const r = relative(rootReal, resolved);
          expect(r.startsWith('..'), `${node.path} -> ${node.target} resolves to ${resolved}`).toBe(false);
        }
        expect(await readdir(join(sandbox, String(n - 1), 'x'))).toEqual(['y']);
        expect(await readdir(parent)).toEqual(['out']);
      }),
      fcParams(300),
    );
  });
});
