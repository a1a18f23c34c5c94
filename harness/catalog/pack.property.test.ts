// Property: for generated trees (names, modes, nesting, symlinks, empty and
// binary files), pack is deterministic under any creation order and mtimes, and
// unpack(pack(t)) equals t.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../fixtures/fc.ts';
import { snapshot } from '../../fixtures/tree.ts';
import { packTree } from './pack.ts';
import { unpackLayer } from './unpack.ts';

interface Node {
  path: string;
  kind: 'dir' | 'file' | 'symlink';
  owner: number; // owner permission bits (r always set: the tree must be readable)
  content?: Uint8Array;
  target?: string;
}

const name = fc
  .oneof(
    fc.stringMatching(/^[a-zA-Z0-9_ -][a-zA-Z0-9._ -]{0,11}$/),
    fc.constantFrom('ünï', '名前', 'é.txt', '.hidden', 'a b', '-dash', '~tilde'),
  )
  .filter((n) => n !== '.' && n !== '..');

/** A tree: unique paths, files and symlinks inside dirs that exist, symlinks pointing at earlier nodes. */
const tree = fc
  .array(
    fc.tuple(
      fc.array(name, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('dir', 'file', 'file', 'symlink'),
      fc.constantFrom(4, 5, 6, 7),
      fc.uint8Array({ maxLength: 3000 }),
      fc.nat(),
    ),
    { maxLength: 25 },
  )
  .map((raw) => {
    const nodes: Node[] = [];
    const kinds = new Map<string, string>();
    for (const [parts, kind, owner, content, pick] of raw) {
      const path = parts.join('/');
      const parents = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
      if (kinds.has(path) || parents.some((p) => kinds.has(p) && kinds.get(p) !== 'dir')) continue;
      for (const p of parents) {
        if (!kinds.has(p)) {
          kinds.set(p, 'dir');
          nodes.push({ path: p, kind: 'dir', owner: 7 });
        }
      }
      kinds.set(path, kind);
      if (kind === 'symlink') {
        const others = nodes.filter((n) => n.kind !== 'symlink');
        const to = others.length ? others[pick % others.length]!.path : '.';
        const up = '../'.repeat(parts.length - 1);
        nodes.push({ path, kind, owner: 7, target: `${up}${to}` });
      } else nodes.push({ path, kind: kind as 'dir' | 'file', owner: kind === 'dir' ? 7 : owner, content });
    }
    return nodes;
  });

const mode = (n: Node) => (n.owner << 6) | ((n.owner & 5) << 3) | (n.owner & 5);

async function write(root: string, nodes: Node[], reverse: boolean, mtime: Date): Promise<void> {
  await mkdir(root, { recursive: true });
  await writeFile(
    join(root, 'Catalog.yaml'),
    'apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: gen\nspec:\n  version: 1.0.0\n',
  );
  const dirs = nodes.filter((n) => n.kind === 'dir');
  for (const d of reverse ? [...dirs].reverse() : dirs) await mkdir(join(root, d.path), { recursive: true });
  const rest = nodes.filter((n) => n.kind !== 'dir');
  for (const n of reverse ? [...rest].reverse() : rest) {
    if (n.kind === 'file') {
      await writeFile(join(root, n.path), n.content!);
      await chmod(join(root, n.path), mode(n));
      await utimes(join(root, n.path), mtime, mtime);
    } else await symlink(n.target!, join(root, n.path));
  }
  for (const d of dirs) await chmod(join(root, d.path), mode(d));
}

async function pack(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of (await packTree(dir, 'gen')).stream) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('packaging (properties)', () => {
  it('is deterministic under creation order and mtimes, and unpack(pack(t)) = t', async () => {
    const base = await mkdtemp(join(tmpdir(), 'ocicat-pack-prop-'));
    let i = 0;
    try {
      await fc.assert(
        fc.asyncProperty(tree, async (nodes) => {
          const run = join(base, String(i++));
          await write(join(run, 'a'), nodes, false, new Date('2001-01-01'));
          await write(join(run, 'b'), nodes, true, new Date('2031-05-05'));
          const [a, b] = [await pack(join(run, 'a')), await pack(join(run, 'b'))];
          expect(createHash('sha256').update(a).digest('hex')).toBe(
            createHash('sha256').update(b).digest('hex'),
          );
          await unpackLayer(
            (async function* () {
              yield a;
            })(),
            a.length,
            'gen',
            join(run, 'out'),
          );
          expect(await snapshot(join(run, 'out'))).toEqual(await snapshot(join(run, 'a')));
          await rm(run, { recursive: true, force: true });
        }),
        fcParams(60),
      );
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  }, 120_000);
});
