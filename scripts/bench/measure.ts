// Run a command under GNU time and read its wall time and peak RSS.
import { spawn } from 'node:child_process';

export interface Sample {
  seconds: number;
  peakRssMiB: number;
}

export function measure(cmd: string, args: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'OCICAT_TIME %e %M', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /OCICAT_TIME ([\d.]+) (\d+)/.exec(err);
      if (code !== 0 || !m)
        return reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${(err + out).slice(-500)}`));
      resolve({ seconds: Number(m[1]), peakRssMiB: Number(m[2]) / 1024 });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
