// Tar headers as kubara writes them (kubara vectors `awkward`, `gitnormal`: Go's
// archive/tar through kubara's packer), so that a tree whose modes are already
// normal gives kubara's uncompressed tar byte for byte:
// - USTAR ("ustar\0" "00"), uid/gid 0, no user/group names, mtime 0, device
//   numbers written as octal zeros; checksum as six octal digits, NUL, space;
// - names without a trailing slash (the root entry is "<name>");
// - a path over 100 bytes that is ASCII and splits at a "/" into prefix (at most
//   155) and name (at most 100) uses the USTAR prefix field;
// - anything else USTAR cannot hold (a non-ASCII or unsplittable path, a link
//   target that is non-ASCII or over 100 bytes, a size of 8 GiB and more) goes in
//   a PAX header entry first, named "<dir>/PaxHeaders.0/<base>" made ASCII, with
//   mode 0 and blank device fields, its records sorted by key; the main header
//   then holds the ASCII remains of the name, cut to 100 bytes.

export const BLOCK = 512;

export type EntryType = 'file' | 'dir' | 'symlink';

export interface TarEntry {
  path: string; // as stored (e.g. "name/dir/")
  type: EntryType;
  mode: number;
  size: number;
  linkTarget?: string;
}

const TYPEFLAG: Record<EntryType, string> = { file: '0', dir: '5', symlink: '2' };
const MAX_OCTAL_11 = 0o77777777777;

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(value.toString(8).padStart(length - 1, '0'), offset, length - 1, 'ascii');
  buf[offset + length - 1] = 0;
}

const isAscii = (s: string) => /^[\x01-\x7f]*$/.test(s);
/** Go's toASCII: drops every byte that is not 7-bit ASCII (and NUL). */
const toAscii = (s: string) => (isAscii(s) ? s : s.replace(/[^\x01-\x7f]/g, ''));

/** Go's splitUSTARPath: [prefix, name] when a long ASCII path fits the two fields. */
function splitUstar(name: string): [string, string] | undefined {
  let length = name.length;
  if (length <= 100 || !isAscii(name)) return undefined;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.slice(0, length).lastIndexOf('/');
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > 100 || nlen === 0 || i > 155) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

/** Go's formatString: the bytes, cut to the field, NUL-terminated when shorter. */
function field(h: Buffer, offset: number, length: number, s: string): void {
  const b = Buffer.from(s, 'utf8');
  b.copy(h, offset, 0, Math.min(b.length, length));
}

export function rawHeader(
  name: string,
  type: string,
  mode: number,
  size: number,
  linkname: string,
  options: { prefix?: string; blankDevices?: boolean } = {},
): Buffer {
  const h = Buffer.alloc(BLOCK);
  field(h, 0, 100, name);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0); // mtime
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder
  h.write(type, 156, 1, 'ascii');
  field(h, 157, 100, linkname);
  h.write('ustar\u000000', 257, 8, 'ascii');
  // uname, gname: left empty
  if (!options.blankDevices) {
    octal(h, 329, 8, 0); // devmajor
    octal(h, 337, 8, 0); // devminor
  }
  if (options.prefix) field(h, 345, 155, options.prefix);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len)
    len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

export function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return rem === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rem);
}

/** The header blocks for an entry (a PAX header entry first when USTAR cannot hold it). */
export function encodeHeader(e: TarEntry): Buffer {
  const flag = TYPEFLAG[e.type];
  const link = e.linkTarget ?? '';
  const records: Array<[string, string]> = [];
  const split = splitUstar(e.path);
  if (!split && (!isAscii(e.path) || Buffer.byteLength(e.path) > 100)) records.push(['path', e.path]);
  if (!isAscii(link) || Buffer.byteLength(link) > 100) records.push(['linkpath', link]);
  const bigSize = e.size > MAX_OCTAL_11;
  if (bigSize) records.push(['size', String(e.size)]);
  if (records.length === 0) {
    return split
      ? rawHeader(split[1], flag, e.mode, e.size, link, { prefix: split[0] })
      : rawHeader(e.path, flag, e.mode, e.size, link);
  }
  records.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const pax = Buffer.from(records.map(([k, v]) => paxRecord(k, v)).join(''), 'utf8');
  const slash = e.path.lastIndexOf('/');
  const paxName = toAscii(
    slash < 0
      ? `PaxHeaders.0/${e.path}`
      : `${e.path.slice(0, slash)}/PaxHeaders.0/${e.path.slice(slash + 1)}`,
  )
    .slice(0, 100)
    .replace(/\/+$/, '');
  return Buffer.concat([
    rawHeader(paxName, 'x', 0, pax.length, '', { blankDevices: true }),
    pax,
    padding(pax.length),
    rawHeader(toAscii(e.path), flag, e.mode, bigSize ? 0 : e.size, toAscii(link)),
  ]);
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);
