// A vendor run ended by a signal leaves no credential file behind (issue 24 N10):
// the peer tools' config.json and ocicat's credentials.json (base64 user:password)
// live in the run's one temporary folder, removed on SIGINT, SIGTERM and SIGHUP,
// and, after a SIGKILL that nothing can catch, by the next run's start.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRegistry } from '../support/use-registry.ts';

const used = useRegistry('vendor-signals', { auth: 'htpasswd' });
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ocicat.js');
let runs = 0;

/** Every file below `dir` holding one of `needles`. */
async function holding(dir: string, needles: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of await readdir(dir, { recursive: true }).catch(() => [] as string[])) {
    const text = await readFile(join(dir, f), 'latin1').catch(() => '');
    if (needles.some((n) => text.includes(n))) out.push(f);
  }
  return out;
}

/** Start a vendor run with its own TMPDIR; `signal` it once a credential file is there. */
async function run(tmp: string, features: string[], signal?: NodeJS.Signals) {
  const login = used.reg!.login!;
  const file = join(used.dir, `r${runs++}.yaml`);
  await writeFile(
    file,
    `registries:\n  - name: acme\n    url: http://${used.reg!.host}\n    namespace: acme/sig${runs}\n    username: ${login.username}\n    passwordEnv: ACME_PASSWORD\n`,
  );
  const needles = [login.password, Buffer.from(`${login.username}:${login.password}`).toString('base64')];
  return new Promise<{ code: number | null; signal: string | null; seen: string[]; text: string }>(
    (resolve) => {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'conformance',
          'run',
          '--registries',
          file,
          '--out',
          join(used.dir, `out${runs}`),
          '--fail-on',
          'never',
          ...features.flatMap((f) => ['--feature', f]),
        ],
        { env: { ...process.env, TMPDIR: tmp, ACME_PASSWORD: login.password } },
      );
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.stderr.on('data', (c) => (text += c));
      let seen: string[] = [];
      const poll = setInterval(async () => {
        if (!signal || seen.length) return;
        const found = await holding(tmp, needles);
        if (found.length && !seen.length) {
          seen = found;
          child.kill(signal);
        }
      }, 50);
      child.on('close', (code, sig) => {
        clearInterval(poll);
        resolve({ code, signal: sig, seen, text });
      });
    },
  );
}

const FEATURES = [
  'catalog.pull',
  'interop.oras.pull',
  'interop.crane.pull',
  'catalog.promote.cross-registry',
];

describe('a vendor run ended by a signal', () => {
  it.for(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s: no credential file is left under TMPDIR',
    async (signal, ctx) => {
      if (!used.reg) return ctx.skip(used.skip);
      const tmp = join(used.dir, `tmp-${signal}`);
      await mkdir(tmp);
      const r = await run(tmp, FEATURES, signal);
      expect(r.seen.length, `no credential file appeared during the run: ${r.text}`).toBeGreaterThan(0);
      const login = used.reg.login!;
      expect(
        await holding(tmp, [
          login.password,
          Buffer.from(`${login.username}:${login.password}`).toString('base64'),
        ]),
      ).toEqual([]);
      expect(await readdir(tmp)).toEqual([]);
    },
  );

  it('SIGKILL: what it left is removed by the next run as it starts', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const tmp = join(used.dir, 'tmp-kill');
    await mkdir(tmp);
    const login = used.reg.login!;
    const needles = [login.password, Buffer.from(`${login.username}:${login.password}`).toString('base64')];
    const killed = await run(tmp, FEATURES, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const left = await holding(tmp, needles);
    expect(left.length, 'a SIGKILL cannot be caught: its files are still there').toBeGreaterThan(0);
    // what the killed run had started (its peer registry) is orphaned, as after any SIGKILL
    spawnSync('pkill', ['-f', tmp]);
    const next = await run(tmp, ['catalog.push']);
    expect(next.code, next.text).toBe(0);
    expect(await holding(tmp, needles)).toEqual([]);
  });
});
