// Run the real `ocicat` binary as a user would, and capture what it says.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ocicat.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function ocicat(
  args: string[],
  options: {
    home: string;
    cwd?: string;
    input?: string;
    env?: NodeJS.ProcessEnv;
    /** Another ocicat to run (an installed package's bin/ocicat.js), and the Node to run it with. */
    bin?: string;
    node?: string;
    /** Run under this umask (through sh), e.g. 0 to show modes do not depend on it. */
    umask?: number;
  } = { home: '' },
): Promise<CliResult> {
  const node = options.node ?? process.execPath;
  const argv = [options.bin ?? BIN, ...args];
  const [file, fileArgs] =
    options.umask === undefined
      ? [node, argv]
      : ['sh', ['-c', `umask ${options.umask.toString(8).padStart(3, '0')}; exec "$@"`, 'sh', node, ...argv]];
  return new Promise((resolve) => {
    const child = execFile(
      file,
      fileArgs,
      {
        cwd: options.cwd,
        env: {
          ...process.env,
          OCICAT_HOME: options.home,
          DOCKER_CONFIG: join(options.home, 'no-docker'),
          ...options.env,
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? '');
  });
}
