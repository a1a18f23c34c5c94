// Byte progress per layer on stderr, only on a terminal and never with --json or
// --no-progress. One line, redrawn at most every 100 ms.

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** One transfer's line: what, bytes of total, percent, speed and time left. */
export function progressLine(what: string, bytes: number, total: number, elapsedMs = 0): string {
  const pct = total > 0 ? Math.floor((bytes / total) * 100) : 100;
  const speed = elapsedMs > 0 ? (bytes / elapsedMs) * 1000 : 0;
  const left = speed > 0 && total > bytes ? Math.ceil((total - bytes) / speed) : undefined;
  const label = /^sha(256|512):/.test(what) ? what.slice(0, 19) : what;
  return `${label}  ${formatBytes(bytes)} / ${formatBytes(total)}  ${pct}%${speed ? `  ${formatBytes(speed)}/s` : ''}${left !== undefined ? `  ${left} s left` : ''}`;
}

/**
 * Progress on a terminal: one line, redrawn at most every 100 ms, with speed and
 * time left; when the command is done, one line that stays: how much, how long, how fast.
 */
export function terminalProgress(
  write: (s: string) => void,
  now = () => Date.now(),
): {
  update: (what: string, bytes: number, total: number) => void;
  done: () => void;
} {
  let last = 0;
  let shown = false;
  const started = new Map<string, number>();
  const finished = new Map<string, number>();
  let first: number | undefined;
  return {
    update(what, bytes, total) {
      const t = now();
      first ??= t;
      if (!started.has(what)) started.set(what, t);
      if (bytes >= total) finished.set(what, total);
      if (bytes < total && t - last < 100) return;
      last = t;
      shown = true;
      write(`\r\x1b[2K${progressLine(what, bytes, total, t - started.get(what)!)}`);
    },
    done() {
      if (shown) write('\r\x1b[2K');
      shown = false;
      if (first !== undefined && finished.size > 0) {
        const bytes = [...finished.values()].reduce((a, b) => a + b, 0);
        const s = Math.max(0.001, (now() - first) / 1000);
        write(
          `${finished.size} item${finished.size === 1 ? '' : 's'}, ${formatBytes(bytes)} in ${s.toFixed(1)} s (${formatBytes(bytes / s)}/s)\n`,
        );
      }
      first = undefined;
      started.clear();
      finished.clear();
    },
  };
}
