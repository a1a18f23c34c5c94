import { describe, expect, it } from 'vitest';
import { formatBytes, progressLine, terminalProgress } from './progress.ts';

describe('progress', () => {
  it('formats bytes and a line per layer', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(progressLine(`sha256:${'ab'.repeat(32)}`, 512, 2048)).toBe(
      'sha256:abababababab  512 B / 2.0 KiB  25%',
    );
    expect(progressLine('sha256:x', 0, 0)).toContain('100%');
  });

  it('always draws the last update, throttles the rest, and clears once', () => {
    const out: string[] = [];
    const bar = terminalProgress((s) => out.push(s));
    bar.update('sha256:a', 1, 10);
    bar.update('sha256:a', 2, 10); // within 100 ms: skipped
    bar.update('sha256:a', 10, 10); // the end: drawn
    bar.done();
    bar.done(); // nothing more to clear
    expect(out.filter((s) => s.includes('%')).length).toBe(2);
    expect(out.filter((s) => s === '\r\x1b[2K')).toHaveLength(1);
  });

  it('gives speed and time left, and a final line that stays', () => {
    let t = 0;
    const out: string[] = [];
    const bar = terminalProgress(
      (s) => out.push(s),
      () => t,
    );
    bar.update('sha256:a', 0, 100 * 1024 * 1024);
    t = 1000;
    bar.update('sha256:a', 25 * 1024 * 1024, 100 * 1024 * 1024);
    expect(out.at(-1)).toMatch(/25\.0 MiB \/ 100\.0 MiB {2}25% {2}25\.0 MiB\/s {2}3 s left$/);
    t = 4000;
    bar.update('sha256:a', 100 * 1024 * 1024, 100 * 1024 * 1024);
    bar.done();
    expect(out.at(-1)).toBe('1 item, 100.0 MiB in 4.0 s (25.0 MiB/s)\n');
  });
});
