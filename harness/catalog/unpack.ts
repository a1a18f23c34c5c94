// Safe unpack of a catalog layer (DESIGN "Reference client behaviour"): refuses an
// existing target, and never writes outside it: no absolute paths, no "..", no
// symlink or hard link that points out, nothing written through a symlink, no
// device files or FIFOs, no duplicate entries, a cap on expanded size (gzip bombs)
// and entry count. Extraction goes to a temp dir beside the target, renamed into
// place only when everything is in: nothing half written stays behind.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { OcicatError } from '../errors.ts';
import { trackTemp, untrackTemp } from '../util/temp-files.ts';
import { readTar } from './tar-reader.ts';

export interface UnpackOptions {
  /** Largest expanded size (default: 100x the compressed size, at least 256 MiB). */
  maxBytes?: number;
  maxEntries?: number;
  /** Check everything, write nothing (target may then be anything). */
  dryRun?: boolean;
}

const unsafe = (why: string) => new OcicatError('UNSAFE_ARCHIVE', `refused archive: ${why}`);

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** A relative archive path made safe, or an error naming what is wrong. */
function safeRel(path: string, prefix: string): string {
  if (path.includes('\u0000')) throw unsafe(`entry name with a NUL byte`);
  if (path.startsWith('/') || isAbsolute(path)) throw unsafe(`absolute path "${path}"`);
  const parts = path.split('/');
  if (parts.includes('..')) throw unsafe(`path with ".." "${path}"`);
  const clean = posix.normalize(path).replace(/\/+$/, '');
  if (clean !== prefix && !clean.startsWith(`${prefix}/`))
    throw unsafe(`entry "${path}" outside "${prefix}/"`);
  return clean === prefix ? '' : clean.slice(prefix.length + 1);
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}

/** Refuse to go through a symlink on the way to `rel` (it could lead anywhere). */
function noSymlinkOnPath(kinds: Map<string, string>, rel: string): void {
  const parts = rel.split('/');
  for (let k = 1; k < parts.length; k++) {
    const prefix = parts.slice(0, k).join('/');
    if (kinds.get(prefix) === '2') throw unsafe(`entry "${rel}" goes through the symlink "${prefix}"`);
  }
}

export async function unpackLayer(
  input: AsyncIterable<Buffer> | Readable,
  compressedSize: number,
  name: string,
  target: string,
  options: UnpackOptions = {},
): Promise<{ entries: number; bytes: number }> {
  const dest = resolve(target);
  const dry = options.dryRun === true;
  if (!dry && (await exists(dest)))
    throw new OcicatError('TARGET_EXISTS', `${target} already exists`, {
      hint: 'unpackage into a new directory',
    });
  const maxBytes = options.maxBytes ?? Math.max(256 * 1024 * 1024, compressedSize * 100);
  const maxEntries = options.maxEntries ?? 100_000;
  const tmp = join(dirname(dest), `.${name}.${randomBytes(6).toString('hex')}.unpacking`);
  if (!dry) {
    await mkdir(tmp, { mode: 0o700 });
    trackTemp(tmp);
  }
  let expanded = 0;
  const gunzip = createGunzip();
  const counted = async function* () {
    for await (const chunk of gunzip) {
      expanded += (chunk as Buffer).length;
      if (expanded > maxBytes) throw unsafe(`expands beyond ${maxBytes} bytes (a gzip bomb?)`);
      yield chunk as Buffer;
    }
  };
  const feed = pipeline(Readable.from(input), gunzip).catch((e) => {
    gunzip.destroy(e);
  });
  const dirModes: Array<[string, number]> = [];
  const kinds = new Map<string, string>(); // rel path -> typeflag
  let entries = 0;
  try {
    for await (const { entry, body } of readTar(counted())) {
      if (++entries > maxEntries) throw unsafe(`more than ${maxEntries} entries`);
      const rel = safeRel(entry.path, name);
      if (rel === '') {
        if (entry.type !== '5') throw unsafe(`"${entry.path}" must be a directory`);
        dirModes.push([tmp, entry.mode & 0o777]);
        continue;
      }
      if (kinds.has(rel)) throw unsafe(`duplicate entry "${rel}"`);
      noSymlinkOnPath(kinds, rel);
      for (let p = posix.dirname(rel); p !== '.'; p = posix.dirname(p)) {
        const k = kinds.get(p);
        if (k !== undefined && k !== '5')
          throw unsafe(`entry "${rel}" is below "${p}", which is not a directory`);
      }
      kinds.set(rel, entry.type === '7' ? '0' : entry.type);
      const out = join(tmp, rel);
      if (!inside(tmp, out)) throw unsafe(`entry "${entry.path}" resolves outside the target`);
      if (!dry) await mkdir(dirname(out), { recursive: true });
      switch (entry.type) {
        case '5':
          if (!dry) await mkdir(out, { recursive: true });
          dirModes.push([out, entry.mode & 0o777]);
          break;
        case '0':
        case '7':
          if (!dry) {
            await pipeline(body, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
            await chmod(out, entry.mode & 0o777);
          }
          break;
        case '2': {
          const t = entry.linkTarget;
          if (t === '' || isAbsolute(t)) throw unsafe(`symlink "${rel}" points to an absolute path`);
          if (!inside(tmp, resolve(dirname(out), t)))
            throw unsafe(`symlink "${rel}" points outside the target ("${t}")`);
          if (!dry) await symlink(t, out);
          break;
        }
        case '1': {
          const srcRel = safeRel(entry.linkTarget, name);
          if (kinds.get(srcRel) !== '0')
            throw unsafe(
              `hard link "${rel}" points to "${entry.linkTarget}", which is not an earlier file in the archive`,
            );
          if (!dry) await link(join(tmp, srcRel), out);
          break;
        }
        case '3':
        case '4':
          throw unsafe(`device file "${rel}"`);
        case '6':
          throw unsafe(`FIFO "${rel}"`);
        default:
          throw unsafe(`entry "${rel}" of unsupported type "${entry.type}"`);
      }
    }
    await feed;
    if (dry) return { entries, bytes: expanded };
    // Directory modes last: a read-only directory must not stop its own extraction.
    for (const [dir, mode] of dirModes.reverse()) await chmod(dir, mode);
    if (await exists(dest)) throw new OcicatError('TARGET_EXISTS', `${target} already exists`);
    await rename(tmp, dest);
    untrackTemp(tmp);
    return { entries, bytes: expanded };
  } catch (e) {
    gunzip.destroy();
    if (!dry) {
      await rm(tmp, { recursive: true, force: true });
      untrackTemp(tmp);
    }
    if (e instanceof OcicatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR_PADDING_1')
      throw unsafe(`not a valid gzip stream (${(e as Error).message})`);
    throw e;
  }
}
