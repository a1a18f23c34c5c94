// In-flight temp files and lock files of this process. Writers register what
// they create and forget it once renamed or removed; on Ctrl-C the CLI removes
// whatever is still registered, so an interrupted run leaves nothing half written.
import { rmSync } from 'node:fs';

const live = new Set<string>();

export function trackTemp(path: string): void {
  live.add(path);
}

export function untrackTemp(path: string): void {
  live.delete(path);
}

export function removeTempsSync(): void {
  for (const p of live) rmSync(p, { recursive: true, force: true });
  live.clear();
}
