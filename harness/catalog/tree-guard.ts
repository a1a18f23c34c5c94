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
// - names are keyed by their folded form (fold-name.ts), as macOS APFS and Windows
//   look them up (issue 24): two entries whose names fold together are refused, and
//   a link's target is resolved through folded names, so "l2 -> S/l1/.." follows the
//   link "s/l1" as APFS would;
// - at the end, a link may not pass through a component the archive did not make
//   ("l -> missing/../.."): what such a name meets on the disk is not the archive's
//   to decide.
import { OcicatError } from '../errors.ts';
import { foldName, isGitFolder } from './fold-name.ts';

export type NodeKind = 'dir' | 'file' | 'link';

interface TreeNode {
  kind: NodeKind;
  /** The path as the archive spelled it (the map is keyed by its folded form). */
  name: string;
  /** A folder made only because an entry below it needed it. */
  implied?: boolean;
  target?: string;
}

const MAX_HOPS = 40; // Linux MAXSYMLINKS
/** NAME_MAX of Linux (ext4, xfs, tmpfs), APFS and NTFS: bytes of one name (UTF-8). */
export const MAX_NAME_BYTES = 255;
/**
 * A path below the catalog's root folder: PATH_MAX (4096 with its NUL) less 256
 * for the folder it is unpacked into; unpackage checks the whole path too
 * (issue 24 N12: pull recorded what unpackage could not write, then ENAMETOOLONG).
 */
export const MAX_PATH_BYTES = 3840;

export const unsafe = (why: string) => new OcicatError('UNSAFE_ARCHIVE', `refused archive: ${why}`);

export class TreeGuard {
  private readonly nodes = new Map<string, TreeNode>();
  private readonly links: string[] = [];

  /** Records `rel` (a clean relative path, no "." or ".."); throws if it may not be made. */
  add(rel: string, kind: NodeKind, target?: string): void {
    const parts = rel.split('/');
    checkNames(rel, target);
    for (let k = 1; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join('/');
      const n = this.get(prefix);
      if (n === undefined) this.nodes.set(foldName(prefix), { kind: 'dir', name: prefix, implied: true });
      else if (n.kind === 'link') throw unsafe(`entry "${rel}" goes through the symlink "${n.name}"`);
      else if (n.kind !== 'dir')
        throw unsafe(`entry "${rel}" is below "${n.name}", which is not a directory`);
    }
    const had = this.get(rel);
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
      this.nodes.set(foldName(rel), { kind, name: rel, target });
      this.links.push(rel);
      this.checkLink(rel, false);
      return;
    }
    this.nodes.set(foldName(rel), { kind, name: rel });
  }

  /**
   * The node at `rel`, looked up by its folded name; a node spelled otherwise
   * ("S" where the archive made "s", NFD where it made NFC) is refused: a folding
   * filesystem would make them one, a case-sensitive one two.
   */
  private get(rel: string): TreeNode | undefined {
    const n = this.nodes.get(foldName(rel));
    if (n !== undefined && n.name !== rel)
      throw unsafe(
        `"${rel}" and "${n.name}" are one name on a case- or normalization-insensitive filesystem (macOS, Windows)`,
      );
    return n;
  }

  kindOf(rel: string): NodeKind | undefined {
    return this.get(rel)?.kind;
  }

  /** Every link again, against the finished tree. */
  finish(): void {
    for (const rel of this.links) this.checkLink(rel, true);
  }

  private checkLink(rel: string, finished: boolean): void {
    const node = this.nodes.get(foldName(rel))!;
    if (this.resolve(parentParts(rel), node.target!, finished ? rel : undefined) === null)
      throw unsafe(`symlink "${rel}" -> "${node.target}" resolves outside the target`);
  }

  /**
   * Where `target`, read from the folder `from`, lands: the resolved components
   * below the root, or null when it leaves the root. With `strict` (the link's
   * name, once the tree is finished) a component the archive did not make may only
   * be the last.
   */
  resolve(from: string[], target: string, strict?: string): string[] | null {
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
      const n = this.nodes.get(foldName([...at, c].join('/')));
      if (n === undefined && strict !== undefined && queue.some((q) => q !== '' && q !== '.'))
        throw unsafe(
          `symlink "${strict}" goes through "${[...at, c].join('/')}", which the archive does not make`,
        );
      if (n?.kind === 'link') {
        if (++hops > MAX_HOPS) throw unsafe(`symlink loop through "${[...at, c].join('/')}"`);
        if (n.target!.startsWith('/')) return null;
        queue.unshift(...n.target!.split('/'));
        continue; // a link's target is read from the folder the link is in: `at`
      }
      at.push(n?.name.split('/').at(-1) ?? c); // as the filesystem spells it
    }
    return at;
  }
}

/**
 * What no filesystem can hold or no checkout may: a ".git" component, a name over
 * NAME_MAX, a path or link target over what is unpacked. unpack.ts asks before it
 * checks the depth of its own target.
 */
export function checkNames(rel: string, target?: string): void {
  const parts = rel.split('/');
  for (const p of parts) {
    // git's own rule (verify_path): a checkout never holds ".git", in any case; in
    // an unpacked catalog its config (core.fsmonitor, hooks) would run on the next
    // "git status" (issue 24). package leaves it out (fold-name.ts).
    if (isGitFolder(p)) throw unsafe(`entry "${rel}" is inside a ".git" folder`);
    if (Buffer.byteLength(p) > MAX_NAME_BYTES)
      throw unsafe(
        `the name "${p.slice(0, 32)}…" is ${Buffer.byteLength(p)} bytes long; filesystems take ${MAX_NAME_BYTES}`,
      );
  }
  if (Buffer.byteLength(rel) > MAX_PATH_BYTES)
    throw unsafe(
      `the path "${rel.slice(0, 32)}…" is ${Buffer.byteLength(rel)} bytes long; at most ${MAX_PATH_BYTES} are unpacked`,
    );
  if (target !== undefined && Buffer.byteLength(target) > MAX_PATH_BYTES)
    throw unsafe(`symlink "${rel}" has a target of ${Buffer.byteLength(target)} bytes`);
}

function parentParts(rel: string): string[] {
  const parts = rel.split('/');
  parts.pop();
  return parts;
}
