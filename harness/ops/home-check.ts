// $OCICAT_HOME is trusted with credentials and a cache that ocicat writes into, so
// it is checked as ssh checks ~/.ssh (StrictModes), before anything is read or
// written there (issue 24): a home, or its cache folder, that another user can
// write (group or other write, no sticky bit) or that another user owns could hold
// links planted to redirect ocicat's writes, and is refused (exit 2); a
// credentials.json that others can read is said once, with the fix.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { OcicatError } from '../errors.ts';

/** Throws INVALID_ARGUMENT for a home others could plant links in; returns warnings. */
export function checkHome(home: string): string[] {
  const uid = process.getuid?.();
  for (const dir of [home, join(home, 'cache')]) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(dir);
    } catch {
      continue; // made by ocicat, 0700
    }
    const writable = (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0;
    const foreign = uid !== undefined && st.uid !== uid && st.uid !== 0;
    if (writable || foreign)
      throw new OcicatError(
        'INVALID_ARGUMENT',
        `${dir} ${foreign ? `belongs to another user (uid ${st.uid})` : `can be written by others (mode 0${(st.mode & 0o7777).toString(8)})`}: links planted there would redirect what ocicat writes`,
        {
          hint: foreign
            ? 'use a home of your own (--home or OCICAT_HOME)'
            : `chmod go-w ${dir}, or use another home (--home or OCICAT_HOME)`,
        },
      );
  }
  const warnings: string[] = [];
  try {
    const st = statSync(join(home, 'credentials.json'));
    if ((st.mode & 0o077) !== 0)
      warnings.push(
        `${join(home, 'credentials.json')} can be read by others (mode 0${(st.mode & 0o777).toString(8)}); chmod 600 it`,
      );
  } catch {
    // none yet
  }
  return warnings;
}
