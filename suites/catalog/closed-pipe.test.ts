// A reader that goes away (`ocicat ... | head -1`) ends the command quietly: no
// stack trace for EPIPE (found while benchmarking: `| tail -0` printed one).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ocicat.js');

function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // the read end closes before the command has written anything
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed pipe on stdout', () => {
  for (const args of [
    ['--help'],
    ['catalog', '--help'],
    ['conformance', 'run', '--help'],
    ['report', '--help'],
  ])
    it(`ocicat ${args.join(' ')}: exit 0, nothing on stderr`, async () => {
      const r = await withClosedStdout(args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
});
