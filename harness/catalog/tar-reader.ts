// A streaming tar reader: ustar, pax extended headers ('x'; 'g' ignored) and GNU
// long names ('L', 'K'). It only parses; what may be written is unpack.ts's call.
import { OcicatError } from '../errors.ts';
import { BLOCK } from './tar-header.ts';

export interface ReadEntry {
  path: string;
  type: string; // raw typeflag
  mode: number;
  size: number;
  linkTarget: string;
}

const unsafe = (why: string) => new OcicatError('UNSAFE_ARCHIVE', `refused archive: ${why}`);

/** Buffers an async byte source and hands out exact byte counts. */
class Bytes {
  private buf = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  private done = false;
  constructor(src: AsyncIterable<Buffer>) {
    this.it = src[Symbol.asyncIterator]();
  }
  private async fill(n: number): Promise<void> {
    const parts: Buffer[] = [this.buf];
    let have = this.buf.length;
    while (have < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        parts.push(r.value);
        have += r.value.length;
      }
    }
    this.buf = parts.length === 1 ? this.buf : Buffer.concat(parts);
  }
  /** Exactly n bytes, or fewer at the end of input. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }
  /** Up to n bytes in pieces, without holding them all. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0) await this.fill(1);
      if (this.buf.length === 0) throw unsafe('truncated inside an entry');
      const take = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(take.length);
      left -= take.length;
      yield take;
    }
  }
}

function str(h: Buffer, off: number, len: number): string {
  const end = h.indexOf(0, off);
  return h.subarray(off, end < 0 || end > off + len ? off + len : end).toString('utf8');
}

function num(h: Buffer, off: number, len: number, what: string): number {
  if (h[off]! & 0x80) {
    // base-256 (GNU) for large values
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + h[i]!;
    if (!Number.isSafeInteger(v)) throw unsafe(`${what} too large`);
    return v;
  }
  const s = str(h, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw unsafe(`bad ${what} field`);
  return Number.parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return num(h, 148, 8, 'checksum') === sum;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) throw unsafe('bad pax record');
    const len = Number(data.subarray(i, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) throw unsafe('bad pax record length');
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

const MAX_META = 1024 * 1024;

/** Entries with a body stream each; the caller must drain `body` before the next entry. */
export async function* readTar(
  src: AsyncIterable<Buffer>,
): AsyncGenerator<{ entry: ReadEntry; body: AsyncGenerator<Buffer> }> {
  const bytes = new Bytes(src);
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const h = await bytes.read(BLOCK);
    if (h.length === 0) throw unsafe('ended without the end-of-archive marker');
    if (h.length < BLOCK) throw unsafe('truncated header');
    if (h.every((b) => b === 0)) return; // end of archive (a second zero block may follow)
    if (!checksumOk(h)) throw unsafe('header checksum mismatch');
    const type = String.fromCharCode(h[156]!) === '\u0000' ? '0' : String.fromCharCode(h[156]!);
    let size = num(h, 124, 12, 'size');
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > MAX_META) throw unsafe('metadata entry too large');
      const data = (await bytes.read(padded)).subarray(0, size);
      if (data.length < size) throw unsafe('truncated metadata');
      if (type === 'x') pax = { ...pax, ...parsePax(data) };
      else if (type === 'g') {
        // A global header applies to every later entry for GNU tar and Python's
        // tarfile, and to none for ocicat (and oras-go): the same layer would give
        // two trees (issue 24). One that renames, relinks or resizes is refused.
        const g = parsePax(data);
        for (const k of ['path', 'linkpath', 'size'])
          if (g[k] !== undefined)
            throw unsafe(`a PAX global header sets "${k}", which tar tools apply to every entry`);
      } else if (type === 'L') longName = str(data, 0, data.length);
      else if (type === 'K') longLink = str(data, 0, data.length);
      continue;
    }
    const magic = h.subarray(257, 262).toString('ascii');
    const prefix = magic === 'ustar' ? str(h, 345, 155) : '';
    let path = longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    let linkTarget = longLink ?? str(h, 157, 100);
    if (pax.path !== undefined) path = pax.path;
    if (pax.linkpath !== undefined) linkTarget = pax.linkpath;
    if (pax.size !== undefined) {
      if (!/^[0-9]+$/.test(pax.size) || !Number.isSafeInteger(Number(pax.size))) throw unsafe('bad pax size');
      size = Number(pax.size);
    }
    pax = {};
    longName = undefined;
    longLink = undefined;
    const body = bytes.stream(size);
    yield { entry: { path, type, mode: num(h, 100, 8, 'mode') & 0o7777, size, linkTarget }, body };
    for await (const _ of body) {
      // drain what the caller did not read
    }
    const pad = Math.ceil(size / BLOCK) * BLOCK - size;
    if (pad && (await bytes.read(pad)).length < pad) throw unsafe('truncated padding');
  }
}
