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

export function progressLine(digest: string, bytes: number, total: number): string {
  const pct = total > 0 ? Math.floor((bytes / total) * 100) : 100;
  return `${digest.slice(0, 19)}  ${formatBytes(bytes)} / ${formatBytes(total)}  ${pct}%`;
}

export function terminalProgress(write: (s: string) => void): {
  update: (what: string, bytes: number, total: number) => void;
  done: () => void;
} {
  let last = 0;
  let shown = false;
  return {
    update(what, bytes, total) {
      const now = Date.now();
      if (bytes < total && now - last < 100) return;
      last = now;
      shown = true;
      write(`\r\x1b[2K${progressLine(what, bytes, total)}`);
    },
    done() {
      if (shown) write('\r\x1b[2K');
      shown = false;
    },
  };
}
