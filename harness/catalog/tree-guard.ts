// The model of a tree being extracted, resolved the way the filesystem will
// resolve it (issue 18). A link target is never judged as text alone: each
// component is looked up in what the archive has already made, a link met on the
// way is followed, and ".." pops the resolved path, so a chain of links that each
// look inside ("s/l1 -> ..", then "l2 -> s/l1/..") is seen to leave the root.
// Python's tarfile "data" filter and oras-go's file store refuse the same.
//
// Rules, checked per entry and once more over the whole tree at the end (a later
// entry can turn a missing component of an earlier link into a link):
// - no entry is written through a link, or below something that is not a folder;
// - no duplicate, and nothing replaces a folder that an earlier entry implied
//   (the filesystem would answer EEXIST half way through an unpack);
// - every link resolves inside the root, through any number of other links; a
//   component that does not exist (yet) counts as a folder, the worst case;
// - a chain longer than the kernel's 40 hops is refused as a loop (ELOOP).
import { OcicatError } from '../errors.ts';

export type NodeKind = 'dir' | 'file' | 'link';

interface TreeNode {
  kind: NodeKind;
  /** A folder made only because an entry below it needed it. */
  implied?: boolean;
  target?: string;
}

const MAX_HOPS = 40; // Linux MAXSYMLINKS

export const unsafe = (why: string) => new OcicatError('UNSAFE_ARCHIVE', `refused archive: ${why}`);

export class TreeGuard {
  private readonly nodes = new Map<string, TreeNode>();
  private readonly links: string[] = [];

  /** Records `rel` (a clean relative path, no "." or ".."); throws if it may not be made. */
  add(rel: string, kind: NodeKind, target?: string): void {
    const parts = rel.split('/');
    for (let k = 1; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join('/');
      const n = this.nodes.get(prefix);
      if (n === undefined) this.nodes.set(prefix, { kind: 'dir', implied: true });
      else if (n.kind === 'link') throw unsafe(`entry "${rel}" goes through the symlink "${prefix}"`);
      else if (n.kind !== 'dir')
        throw unsafe(`entry "${rel}" is below "${prefix}", which is not a directory`);
    }
    const had = this.nodes.get(rel);
    if (had !== undefined) {
      if (!(had.implied && kind === 'dir')) {
        throw unsafe(
          had.implied
            ? `entry "${rel}" comes after entries below it, as a ${kind} where they made a directory`
            : `duplicate entry "${rel}"`,
        );
      }
      had.implied = false;
      return;
    }
    if (kind === 'link') {
      if (target === undefined || target === '') throw unsafe(`symlink "${rel}" has an empty target`);
      if (target.startsWith('/')) throw unsafe(`symlink "${rel}" points to an absolute path`);
      if (target.includes('\u0000')) throw unsafe(`symlink "${rel}" has a NUL byte in its target`);
      this.nodes.set(rel, { kind, target });
      this.links.push(rel);
      this.checkLink(rel);
      return;
    }
    this.nodes.set(rel, { kind });
  }

  kindOf(rel: string): NodeKind | undefined {
    return this.nodes.get(rel)?.kind;
  }

  /** Every link again, against the finished tree. */
  finish(): void {
    for (const rel of this.links) this.checkLink(rel);
  }

  private checkLink(rel: string): void {
    const node = this.nodes.get(rel)!;
    if (this.resolve(parentParts(rel), node.target!) === null)
      throw unsafe(`symlink "${rel}" -> "${node.target}" resolves outside the target`);
  }

  /**
   * Where `target`, read from the folder `from`, lands: the resolved components
   * below the root, or null when it leaves the root.
   */
  resolve(from: string[], target: string): string[] | null {
    const at = [...from];
    const queue = target.split('/');
    let hops = 0;
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (at.length === 0) return null;
        at.pop();
        continue;
      }
      const n = this.nodes.get([...at, c].join('/'));
      if (n?.kind === 'link') {
        if (++hops > MAX_HOPS) throw unsafe(`symlink loop through "${[...at, c].join('/')}"`);
        if (n.target!.startsWith('/')) return null;
        queue.unshift(...n.target!.split('/'));
        continue; // a link's target is read from the folder the link is in: `at`
      }
      at.push(c);
    }
    return at;
  }
}

function parentParts(rel: string): string[] {
  const parts = rel.split('/');
  parts.pop();
  return parts;
}
