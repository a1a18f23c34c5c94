// POSIX ustar headers (POSIX.1-2001 pax "ustar Interchange Format") with pax
// extended headers for what ustar cannot hold (long or non-ASCII names, sizes
// of 8 GiB and more). Every field is fixed so that the same tree gives the same
// bytes anywhere: uid/gid 0, no user/group names, mtime 0.

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

function needsPax(s: string, max: number): boolean {
  return Buffer.byteLength(s) > max || /[^\x20-\x7e]/.test(s);
}

export function rawHeader(name: string, type: string, mode: number, size: number, linkname: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0); // mtime
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder
  h.write(type, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 8, 'ascii');
  // uname, gname, devmajor, devminor, prefix: left empty
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

/** The header blocks for an entry (a pax header first when needed). */
export function encodeHeader(e: TarEntry): Buffer {
  const records: string[] = [];
  if (needsPax(e.path, 100)) records.push(paxRecord('path', e.path));
  if (e.linkTarget !== undefined && needsPax(e.linkTarget, 100))
    records.push(paxRecord('linkpath', e.linkTarget));
  if (e.size > MAX_OCTAL_11) records.push(paxRecord('size', String(e.size)));
  const main = rawHeader(
    records.some((r) => r.includes(' path=')) ? asciiStub(e.path) : e.path,
    TYPEFLAG[e.type],
    e.mode,
    e.size > MAX_OCTAL_11 ? 0 : e.size,
    e.linkTarget === undefined
      ? ''
      : records.some((r) => r.includes(' linkpath='))
        ? asciiStub(e.linkTarget)
        : e.linkTarget,
  );
  if (records.length === 0) return main;
  const pax = Buffer.from(records.join(''), 'utf8');
  return Buffer.concat([
    rawHeader(asciiStub(`PaxHeaders/${e.path}`), 'x', 0o644, pax.length, ''),
    pax,
    padding(pax.length),
    main,
  ]);
}

/** A deterministic ASCII stand-in (for readers without pax support) of at most 99 bytes. */
function asciiStub(s: string): string {
  const ascii = s.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length > 99 ? ascii.slice(0, 99) : ascii;
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);
