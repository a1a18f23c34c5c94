// Safe unpack of a catalog layer (DESIGN "Reference client behaviour"): refuses an
// existing target, and never writes outside it: no absolute paths, no "..", no
// symlink or hard link that resolves out (through other links too: tree-guard.ts),
// nothing written through a symlink, no device files or FIFOs, no duplicate
// entries, a cap on expanded size (gzip bombs) and entry count. Extraction goes to
// a temp dir beside the target, renamed into place only when everything is in:
// nothing half written stays behind. Pull vets a layer with this same function
// (dryRun), so vetting and unpacking cannot disagree: every refusal is the
// guard's, made before the filesystem is touched.
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { chmod, link, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { OcicatError } from '../errors.ts';
import { reclaim } from '../util/reclaim.ts';
import { trackTemp, untrackTemp } from '../util/temp-files.ts';
import { exists, MAX_YAML_BYTES } from './catalog-fs.ts';
import { CATALOG_FILE, parseCatalog } from './model.ts';
import { readTar } from './tar-reader.ts';
import { checkNames, TreeGuard, unsafe } from './tree-guard.ts';

/** Linux's PATH_MAX, with the NUL. */
const PATH_MAX = 4096;

/** Files up to this size are written in one synchronous call. */
const SMALL_FILE = 1024 * 1024;

export interface UnpackOptions {
  /** Largest expanded size (default: 100x the compressed size, at least 256 MiB). */
  maxBytes?: number;
  maxEntries?: number;
  /** Check everything, write nothing (target may then be anything). */
  dryRun?: boolean;
  /**
   * The layer's `io.deis.oras.content.digest`: the gunzipped tar must hash to it,
   * as oras-go's file store (kubara's pull) demands ("content digest mismatch").
   */
  tarDigest?: string;
  /**
   * The catalog the manifest says this is: the layer's Catalog.yaml must say the
   * same name and version (issue 24: a manifest of "shop 0.1.0" whose layer said
   * "evil 9.9.9" was pulled and unpacked as shop; kubara loads what Catalog.yaml
   * says). Its absence is refused too.
   */
  catalog?: { name: string; version: string };
}

/** The layer's Catalog.yaml against what the manifest says. */
function checkCatalogFile(text: string, expected: { name: string; version: string }): void {
  let c: ReturnType<typeof parseCatalog>;
  try {
    c = parseCatalog(text);
  } catch (e) {
    throw unsafe(`its ${CATALOG_FILE} is not a valid catalog (${(e as Error).message})`);
  }
  if (c.metadata.name !== expected.name || String(c.spec.version) !== expected.version)
    throw unsafe(
      `its ${CATALOG_FILE} says ${c.metadata.name} ${c.spec.version}, the manifest ${expected.name} ${expected.version}`,
    );
}

function tarHasher(expected: string | undefined): Hash | undefined {
  if (expected === undefined) return undefined;
  const m = /^(sha256|sha512):([a-f0-9]+)$/.exec(expected);
  if (!m || m[2]!.length !== (m[1] === 'sha256' ? 64 : 128))
    throw unsafe(`its content digest annotation "${expected}" is not a digest`);
  return createHash(m[1]!);
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

/**
 * The mode a file or folder is written with: group and other never get write
 * (issue 24 N6: a layer's 0777 folders and 0666 files were kept whatever the
 * umask), as git checks out (0755/0644); the owner's bits are the archive's.
 */
function modeOf(mode: number): number {
  return mode & 0o755;
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}

/**
 * A gunzip for a catalog layer, with large output chunks: 16 KiB (the default)
 * cost a callback and an allocation each, 65,536 of them for 1 GiB (issue 17's
 * profile of a 1 GiB pull: 0.5 s in zlib callbacks, 0.7 s of garbage collection).
 * 1 MiB chunks took the pull from 4.2 s to 3.4 s here (three runs each).
 */
export function layerGunzip(): Gunzip {
  return createGunzip({ chunkSize: 1024 * 1024 });
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Unpack (or, with dryRun, vet) a gzipped tar layer read from `input`. */
export function unpackLayer(
  input: AsyncIterable<Buffer> | Readable,
  compressedSize: number,
  name: string,
  target: string,
  options: UnpackOptions = {},
): Promise<{ entries: number; bytes: number }> {
  const gunzip = layerGunzip();
  const feed = () =>
    pipeline(Readable.from(input), gunzip).catch((e) => {
      gunzip.destroy(e);
    });
  return unpackInflating(gunzip, feed, compressedSize, name, target, options);
}

/**
 * The same, from a gunzip (layerGunzip) that `feed` starts filling (once the
 * target is checked) and whose promise settles once it has been ended
 * (layer-pass.ts: the download feeds it, reusing its buffers once gunzip has
 * taken them).
 */
export async function unpackInflating(
  gunzip: Gunzip,
  feed: () => Promise<unknown>,
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
    await mkdir(dirname(dest), { recursive: true }); // like mkdir -p for the parents
    await mkdir(tmp, { mode: 0o700 });
    trackTemp(tmp);
  }
  let expanded = 0;
  const hash = tarHasher(options.tarDigest);
  const counted = async function* () {
    for await (const chunk of gunzip) {
      expanded += (chunk as Buffer).length;
      reclaim((chunk as Buffer).length); // each is a new buffer of zlib's (reclaim.ts)
      if (expanded > maxBytes) throw unsafe(`expands beyond ${maxBytes} bytes (a gzip bomb?)`);
      hash?.update(chunk as Buffer);
      yield chunk as Buffer;
    }
  };
  const fed = feed();
  const dirModes: Array<[string, number]> = [];
  const guard = new TreeGuard();
  let entries = 0;
  let catalogSeen = false;
  // folders made so far: a folder's files need no mkdir each
  const made = new Set<string>([tmp]);
  const folder = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  try {
    for await (const { entry, body } of readTar(counted())) {
      if (++entries > maxEntries) throw unsafe(`more than ${maxEntries} entries`);
      const rel = safeRel(entry.path, name);
      if (rel === '') {
        if (entry.type !== '5') throw unsafe(`"${entry.path}" must be a directory`);
        dirModes.push([tmp, modeOf(entry.mode)]);
        continue;
      }
      const out = join(tmp, rel);
      if (!inside(tmp, out)) throw unsafe(`entry "${entry.path}" resolves outside the target`);
      checkNames(rel);
      if (!dry && Buffer.byteLength(out) >= PATH_MAX)
        throw new OcicatError(
          'INVALID_ARGUMENT',
          `${target} is too deep for this catalog: "${rel.slice(0, 32)}…" would be a path of ${Buffer.byteLength(join(dest, rel))} bytes, the system takes ${PATH_MAX - 1}`,
          { hint: 'unpackage into a folder with a shorter path' },
        );
      switch (entry.type) {
        case '5':
          guard.add(rel, 'dir');
          if (!dry) folder(out);
          dirModes.push([out, modeOf(entry.mode)]);
          break;
        case '0':
        case '7':
          guard.add(rel, 'file');
          if (rel === CATALOG_FILE && options.catalog) {
            if (entry.size > MAX_YAML_BYTES) throw unsafe(`its ${CATALOG_FILE} is ${entry.size} bytes`);
            const text = await collect(body);
            checkCatalogFile(text.toString('utf8'), options.catalog);
            catalogSeen = true;
            if (!dry) {
              folder(dirname(out));
              writeFileSync(out, text, { flag: 'wx', mode: 0o600 });
              chmodSync(out, modeOf(entry.mode));
            }
          } else if (!dry) {
            folder(dirname(out));
            if (entry.size <= SMALL_FILE) {
              // most of a catalog: one synchronous write each. Four round trips
              // through the thread pool per file (open, write, close, chmod) made
              // unpackage of 10,000 files take 1.4x tar -xzf (issue 17)
              writeFileSync(out, await collect(body), {
                flag: 'wx',
                mode: 0o600,
              });
              chmodSync(out, modeOf(entry.mode));
            } else {
              await pipeline(body, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
              await chmod(out, modeOf(entry.mode));
            }
          }
          break;
        case '2':
          guard.add(rel, 'link', entry.linkTarget);
          if (!dry) {
            folder(dirname(out));
            await symlink(entry.linkTarget, out);
          }
          break;
        case '1': {
          const srcRel = safeRel(entry.linkTarget, name);
          if (guard.kindOf(srcRel) !== 'file')
            throw unsafe(
              `hard link "${rel}" points to "${entry.linkTarget}", which is not an earlier file in the archive`,
            );
          guard.add(rel, 'file');
          if (!dry) {
            folder(dirname(out));
            await link(join(tmp, srcRel), out);
          }
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
    guard.finish();
    if (options.catalog && !catalogSeen) throw unsafe(`it holds no ${CATALOG_FILE}`);
    // The rest of the stream after the end-of-archive blocks: read (it counts
    // toward maxBytes, and toward the content digest), or the gunzip pipeline
    // would wait on it for ever.
    for await (const chunk of counted()) void chunk;
    await fed;
    if (hash) {
      const got = `${options.tarDigest!.split(':')[0]}:${hash.digest('hex')}`;
      if (got !== options.tarDigest)
        throw new OcicatError(
          'DIGEST_MISMATCH',
          `content digest mismatch: the layer unpacks to ${got}, its annotation io.deis.oras.content.digest says ${options.tarDigest}`,
        );
    }
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
