// The CLI's main() in this process, with what it printed: for tests of messages
// and exit codes that need no child process.
import { main } from '../cli/main.ts';

export async function runMain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    isTTY: false,
  });
  return { code, out, err };
}
