// What the hostile suites share: a proxy in front of a real registry for the
// length of a case, the real CLI pulling through it, and the checks every refusal
// must pass (one clear line, nothing cached or half written).
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type StartedProxy, startProxy } from '../../registries/proxy/proxy.ts';
import type { Rule } from '../../registries/proxy/rule.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { type CliResult, ocicat } from '../support/cli.ts';

/** A proxy with the given rules in front of `reg`, stopped after `fn`. */
export async function behindProxy<T>(
  reg: StartedRegistry,
  rules: Rule[],
  fn: (p: StartedProxy) => Promise<T>,
): Promise<T> {
  const p = await startProxy(reg, rules);
  try {
    return await fn(p);
  } finally {
    await p.stop();
  }
}

let homes = 0;
/** `ocicat catalog pull oci://<proxy>/<ref> --plain-http` into a new home below `dir`. */
export async function pullThrough(
  p: { host: string },
  dir: string,
  ref: string,
  extra: string[] = [],
): Promise<CliResult & { home: string; ms: number }> {
  const home = join(dir, `home-${homes++}`);
  const t = performance.now();
  const r = await ocicat(['catalog', 'pull', `oci://${p.host}/${ref}`, '--plain-http', ...extra], { home });
  return { ...r, home, ms: performance.now() - t };
}

/** One line (and perhaps a hint), no stack trace, no escape sequence. */
export function oneClearLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines.length, stderr).toBeLessThanOrEqual(2);
  expect(lines[0]).toMatch(/^error: /);
  expect(stderr).not.toMatch(/\n\s+at |\u001b|Warning: /);
}

/** Nothing cached: no reference, no temp file (.part, .tmp), no lock. */
export async function nothingCached(home: string): Promise<void> {
  const refs = await readFile(join(home, 'cache', 'refs.json'), 'utf8').catch(() => '{"refs":[]}');
  expect(JSON.parse(refs).refs ?? []).toEqual([]);
  const all = await readdir(join(home, 'cache'), { recursive: true }).catch(() => [] as string[]);
  expect(all.filter((f) => /\.tmp|\.part|ingest|partial|\.lock/.test(f))).toEqual([]);
}

/** An endless body: 64 KiB chunks while the client reads; counts what was sent. */
export function endless(status: number, headers: Record<string, string>, sent: { bytes: number }) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, headers);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const more = () => {
      while (!res.destroyed) {
        sent.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
    };
    res.on('error', () => {});
    more();
  };
}

/** Raw bytes as the whole answer, the connection closed after. */
export function raw(text: string) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.socket?.end(text);
  };
}
