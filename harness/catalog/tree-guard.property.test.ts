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

/** The generated entries as a layer below the folder t/. */
function layerOf(entries: Array<{ kind: string; path: string[]; target?: string[] }>): Buffer {
  return evil(
    't',
    entries.map((e) =>
      e.kind === 'dir'
        ? { path: `t/${e.path.join('/')}/`, type: '5' }
        : e.kind === 'file'
          ? { path: `t/${e.path.join('/')}`, body: Buffer.from('x') }
          : { path: `t/${e.path.join('/')}`, type: '2', link: e.target!.join('/') },
    ),
  );
}

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
        const layer = layerOf(entries);
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

// A model of a folding filesystem (APFS, NTFS): names compared in NFC and without
// case; each link followed as the kernel would, up to 40 hops. Independent of the
// guard: it only says whether a link's target lands outside the root.
const foldFs = (s: string) => s.normalize('NFC').toLowerCase();
function escapesOnFoldingFs(entries: Array<{ kind: string; path: string[]; target?: string[] }>): boolean {
  const links = new Map<string, string[]>();
  for (const e of entries)
    if (e.kind === 'link' && !links.has(foldFs(e.path.join('/'))))
      links.set(foldFs(e.path.join('/')), e.target!);
  const escapes = (from: string[], target: string[], hops: number): boolean => {
    const at = [...from];
    const queue = [...target];
    while (queue.length) {
      const c = queue.shift()!;
      if (c === '.' || c === '') continue;
      if (c === '..') {
        if (at.length === 0) return true;
        at.pop();
        continue;
      }
      const link = links.get(foldFs([...at, c].join('/')));
      if (link) {
        if (hops > 40) return false; // ELOOP: the kernel stops, nothing escapes
        queue.unshift(...link);
        hops++;
        continue;
      }
      at.push(c);
    }
    return false;
  };
  return entries.some((e) => e.kind === 'link' && escapes(e.path.slice(0, -1), e.target!, 0));
}

describe('extraction never escapes its root on a folding filesystem', () => {
  // the same names in another case, and é precomposed (NFC) and decomposed (NFD)
  const name = fc.constantFrom('s', 'S', 'l', 'L', '\u00e9', 'e\u0301');
  const folding = fc.oneof(
    fc.record({ kind: fc.constant('dir' as const), path: fc.array(name, { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('file' as const), path: fc.array(name, { minLength: 1, maxLength: 2 }) }),
    fc.record({
      kind: fc.constant('link' as const),
      path: fc.array(name, { minLength: 1, maxLength: 2 }),
      target: fc.array(fc.oneof(fc.constant('..'), name), { minLength: 1, maxLength: 3 }),
    }),
  );
  it('vetting refuses every archive whose links a folding filesystem resolves outside', async () => {
    let refusedForFolding = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(folding, { maxLength: 6 }), async (entries) => {
        const layer = layerOf(entries);
        const verdict = await outcome(layer, join(sandbox, 'never-written'), true);
        if (verdict === 'ok') expect(escapesOnFoldingFs(entries), JSON.stringify(entries)).toBe(false);
        else if (/one name on a case/.test(verdict)) refusedForFolding++;
      }),
      fcParams(400),
    );
    expect(refusedForFolding).toBeGreaterThan(0);
  });

  it('the chain of issue 24 (each hop names the last in another case or form) is refused', async () => {
    const chain = [
      { path: 't/s/', type: '5' },
      { path: 't/s/l1', type: '2', link: '..' },
      { path: 't/l2', type: '2', link: 'S/l1/..' },
      { path: 't/l3', type: '2', link: 'L2/..' },
      { path: 't/passwd', type: '2', link: 'l3/etc/passwd' },
    ];
    expect(await outcome(evil('t', chain), join(sandbox, 'never'), true)).toMatch(
      /"S" and "s" are one name|refused archive/,
    );
    const nfd = [
      { path: 't/\u00e9/', type: '5' },
      { path: 't/\u00e9/l1', type: '2', link: '..' },
      { path: 't/l2', type: '2', link: 'e\u0301/l1/..' },
    ];
    expect(await outcome(evil('t', nfd), join(sandbox, 'never'), true)).toMatch(
      /refused archive: symlink "l2" -> ".*\/l1\/.." resolves outside/,
    );
  });
});
