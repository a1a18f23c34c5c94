// Reading and writing files of a catalog folder without leaving it (issue 18).
// A catalog may come from anyone (an unpackaged pull), so a `services` or
// `Catalog.yaml` that is a link is never followed out of the folder: before a
// read or a write, the deepest part of the path that exists is resolved by the
// filesystem and must still be inside the folder. New files are created with
// O_EXCL ('wx'), which does not follow a link at the last component either.
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { OcicatError } from '../errors.ts';

/** The largest YAML file ocicat parses (Catalog.yaml, a service definition). */
export const MAX_YAML_BYTES = 1024 * 1024;

function within(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** Whether anything (a dangling link too) stands at `p`. */
export async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Throws unless `rel` below `root`, resolved through every link that exists, stays inside `root`. */
export async function assertInside(root: string, rel: string): Promise<void> {
  const top = await realpath(root);
  let probe = join(root, rel);
  const rest: string[] = [];
  while (!(await exists(probe))) {
    rest.unshift(probe.slice(dirname(probe).length + 1));
    const up = dirname(probe);
    if (up === probe) break;
    probe = up;
  }
  let resolved: string;
  try {
    resolved = join(await realpath(probe), ...rest);
  } catch {
    throw outside(root, rel); // a dangling or looping link on the way
  }
  if (!within(top, resolved)) throw outside(root, rel);
}

function outside(root: string, rel: string): OcicatError {
  return new OcicatError(
    'INVALID_CATALOG',
    `${join(root, rel)} leads outside the catalog folder through a link`,
    {
      hint: 'ocicat never reads or writes through a link that leaves the catalog; replace the link with a folder',
    },
  );
}

/** A new file below `root` (its folders made as needed); refuses to go through a link out. */
export async function writeNewFile(root: string, rel: string, text: string): Promise<string> {
  await assertInside(root, rel);
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  await assertInside(root, rel); // mkdir made folders: check the finished path once more
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  return path;
}

/** A text file of the catalog, at most `max` bytes, read without following a link out. */
export async function readCatalogText(root: string, rel: string, max = MAX_YAML_BYTES): Promise<string> {
  await assertInside(root, rel);
  const fh = await open(join(root, rel), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new OcicatError('INVALID_CATALOG', `${join(root, rel)} is not a regular file`);
    if (st.size > max)
      throw new OcicatError(
        'INVALID_CATALOG',
        `${join(root, rel)} is ${st.size} bytes; ocicat reads catalog YAML files of at most ${max} bytes`,
      );
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}
