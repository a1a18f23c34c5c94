// Deterministic pack of a catalog directory (DESIGN "Catalog format"): tar+gzip
// of the whole directory with kubara's entries (kubara vectors `awkward`,
// `gitnormal`): the root entry "<name>", then a depth-first walk in which each
// folder's entries come in byte order and a folder's contents right after it
// ("a", "a/x", then "a-b"), names without a trailing slash, uid/gid 0, no user
// or group names, mtime 0, symlinks as symlinks (headers: tar-header.ts). Modes
// keep the owner's bits and derive group and other from them (rw- -> 644,
// rwx -> 755), so the umask a checkout was made with does not change the digest;
// kubara writes modes as they are on disk, so only a tree whose modes are
// already normal (a git checkout's) gives kubara's tar byte for byte.
import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { OcicatError } from '../errors.ts';
import { reclaim } from '../util/reclaim.ts';
import { isGitFolder } from './fold-name.ts';
import { gzip } from './gzip.ts';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarEntry } from './tar-header.ts';

export interface SourceEntry extends TarEntry {
  abs: string;
  /** The file the walk saw (lstat): what is read must be it (openWalked). */
  dev?: number;
  ino?: number;
}

export function normalizeMode(mode: number, type: TarEntry['type']): number {
  if (type === 'symlink') return 0o777;
  const owner = (mode >> 6) & 7;
  const rest = owner & 5;
  return (owner << 6) | (rest << 3) | rest;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Every entry below `dir`, as it will be archived under `name/`. Synchronous
 * calls: each async one is a round trip through the thread pool, and for a
 * catalog of 10,000 files the walk and the reads were most of package's 5.3 s
 * (issue 17's profile: the main thread idle 3.5 s of it).
 */
export async function listTree(dir: string, name: string): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  const rootStat = lstatSync(dir);
  out.push({ abs: dir, path: name, type: 'dir', mode: normalizeMode(rootStat.mode, 'dir'), size: 0 });
  const visit = (abs: string, rel: string) => {
    const names = readdirSync(abs).sort(byBytes);
    for (const n of names) {
      if (isGitFolder(n)) continue; // validate.ts warns
      const a = join(abs, n);
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(a);
      if (st.isDirectory()) {
        out.push({
          abs: a,
          path: `${name}/${r}`,
          type: 'dir',
          mode: normalizeMode(st.mode, 'dir'),
          size: 0,
        });
        visit(a, r);
      } else if (st.isFile()) {
        out.push({
          abs: a,
          path: `${name}/${r}`,
          type: 'file',
          mode: normalizeMode(st.mode, 'file'),
          size: st.size,
          dev: st.dev,
          ino: st.ino,
        });
      } else if (st.isSymbolicLink()) {
        out.push({
          abs: a,
          path: `${name}/${r}`,
          type: 'symlink',
          mode: 0o777,
          size: 0,
          linkTarget: readlinkSync(a),
        });
      } else {
        throw new OcicatError(
          'INVALID_CATALOG',
          `${a} is not a file, directory or symlink; a catalog cannot hold it`,
        );
      }
    }
  };
  visit(dir, '');
  return out;
}

const SMALL_FILE = 1024 * 1024;

/**
 * Open the file the walk saw, and only it (issue 24 N5: a file swapped for a link
 * after the walk was read through the link, and a 0600 file outside the catalog
 * ended up in the layer): O_NOFOLLOW refuses a link in its place, and the device
 * and inode must be the walk's, which also catches a folder on the way swapped
 * for a link.
 */
function openWalked(e: SourceEntry): number {
  const changed = () => new OcicatError('INVALID_CATALOG', `${e.abs} changed while it was packed`);
  let fd: number;
  try {
    fd = openSync(e.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOENT' || code === 'ENOTDIR') throw changed();
    throw err;
  }
  const st = fstatSync(fd);
  if (!st.isFile() || (e.ino !== undefined && (st.ino !== e.ino || st.dev !== e.dev))) {
    closeSync(fd);
    throw changed();
  }
  return fd;
}

async function* tarStream(
  entries: SourceEntry[],
  onProgress?: (bytes: number, total: number) => void,
): AsyncGenerator<Buffer> {
  const total = entries.reduce((a, e) => a + (e.type === 'file' ? e.size : 0), 0);
  let done = 0;
  for (const e of entries) {
    yield encodeHeader(e);
    if (e.type !== 'file') continue;
    let n = 0;
    // small files (most of a catalog) in one synchronous read (listTree says why);
    // large ones streamed
    const fd = openWalked(e);
    let chunks: Iterable<Buffer> | AsyncIterable<Buffer>;
    if (e.size <= SMALL_FILE) {
      try {
        chunks = [readFileSync(fd)];
      } finally {
        closeSync(fd);
      }
    } else chunks = createReadStream('', { fd, highWaterMark: SMALL_FILE });
    for await (const chunk of chunks) {
      n += (chunk as Buffer).length;
      if (n > e.size) break;
      reclaim((chunk as Buffer).length);
      done += (chunk as Buffer).length;
      onProgress?.(done, total);
      yield chunk as Buffer;
    }
    if (n !== e.size) throw new OcicatError('INVALID_CATALOG', `${e.abs} changed while it was packed`);
    yield padding(e.size);
  }
  yield END_OF_ARCHIVE;
}

/** Passes the bytes on and hashes them on the way (the tar's digest, before gzip). */
async function* hashing(src: AsyncIterable<Buffer>, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of src) {
    hash.update(chunk);
    yield chunk;
  }
}

export interface PackedTree {
  /** The gzipped tar, as a byte stream. */
  stream: AsyncGenerator<Buffer>;
  /**
   * "sha256:<hex>" of the uncompressed tar (the layer's `io.deis.oras.content.digest`),
   * known once `stream` has ended.
   */
  tarDigest(): string;
}

/** The gzipped tar of a catalog directory; `onProgress` gets the file bytes read of all, and the entry count. */
export async function packTree(
  dir: string,
  name: string,
  onProgress?: (bytes: number, total: number, entries: number) => void,
): Promise<PackedTree> {
  const entries = await listTree(dir, name);
  const hash = createHash('sha256');
  let digest: string | undefined;
  const tar = hashing(
    tarStream(entries, onProgress ? (b, t) => onProgress(b, t, entries.length) : undefined),
    hash,
  );
  async function* finishing(): AsyncGenerator<Buffer> {
    yield* gzip(tar);
    digest = `sha256:${hash.digest('hex')}`;
  }
  return {
    stream: finishing(),
    tarDigest: () => {
      if (digest === undefined) throw new Error('tarDigest() before the packed stream ended');
      return digest;
    },
  };
}
