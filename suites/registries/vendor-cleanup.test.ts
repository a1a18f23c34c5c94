// A vendor run leaves nothing behind (issue 14): against a real distribution 3.x
// with delete enabled, reached only through a registries file, once to the end and
// once interrupted with SIGINT midway. Afterwards no repository of the run holds a
// tag, and the report's conformance.cleanup says what was deleted.
// distribution keeps a repository's name in /v2/_catalog after its last manifest is
// deleted (it has no API to remove a repository), so the check is on tags and
// manifests, not names.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from '../../harness/remote/http.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { distribution3 } from '../../registries/definitions/distribution3.ts';
import { startProcess } from '../../registries/providers/process.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import type { Results } from '../../reports/results.ts';
import { clientFor, tryStart } from '../support/registry.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ocicat.js');
let reg: StartedRegistry | undefined;
let skip = '';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-vendor-cleanup-'));
  const s = await tryStart(() => startProcess(distribution3, { auth: 'htpasswd' }));
  reg = s.reg;
  skip = s.skip ?? '';
});
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Repositories below `prefix` that still hold a tag (there must have been some). */
async function tagged(prefix: string): Promise<string[]> {
  const client = clientFor(reg!);
  try {
    const res = await client.expect(
      { registry: reg!.host, method: 'GET', path: '/v2/_catalog?n=1000', scopes: [] },
      [200],
    );
    const repos = (
      JSON.parse((await readBody(res, 16 * 1024 * 1024)).toString()) as { repositories: string[] }
    ).repositories.filter((r) => r.startsWith(prefix));
    expect(repos.length, `no repository below ${prefix}: the run pushed nothing?`).toBeGreaterThan(0);
    const out: string[] = [];
    for (const r of repos) {
      const tags = await new RemoteRepository(client, { registry: reg!.host, repository: r })
        .listTags()
        .catch(() => [] as string[]);
      if (tags.length) out.push(`${r}:${tags.join(',')}`);
    }
    return out;
  } finally {
    await client.close();
  }
}

let runs = 0;
function vendorRun(interruptAfter?: RegExp) {
  const n = runs++;
  const file = join(dir, `r${n}.yaml`);
  const out = join(dir, `out${n}`);
  const ns = `acme/cleanup${n}`;
  return writeFile(
    file,
    `registries:\n  - name: acme\n    url: http://${reg!.host}\n    namespace: ${ns}\n    username: ${reg!.login!.username}\n    passwordEnv: ACME_PASSWORD\n`,
  ).then(
    () =>
      new Promise<{ code: number | null; signal: string | null; text: string; out: string; ns: string }>(
        (resolve) => {
          const child = spawn(
            process.execPath,
            [BIN, 'conformance', 'run', '--registries', file, '--out', out, '--fail-on', 'never'],
            {
              env: { ...process.env, ACME_PASSWORD: reg!.login!.password },
            },
          );
          let text = '';
          let sent = false;
          const onData = (c: Buffer) => {
            text += c.toString();
            if (interruptAfter && !sent && interruptAfter.test(text)) {
              sent = true;
              // midway: let the features push for a moment first
              setTimeout(() => child.kill('SIGINT'), 2500);
            }
          };
          child.stdout.on('data', onData);
          child.stderr.on('data', onData);
          child.on('close', (code, signal) => resolve({ code, signal, text, out, ns }));
        },
      ),
  );
}

describe('a vendor run leaves nothing behind', () => {
  it('after a whole run: no tag left, conformance.cleanup pass', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    const r = await vendorRun();
    expect(r.code, r.text).toBe(0);
    const results = JSON.parse(await readFile(join(r.out, 'results.json'), 'utf8')) as Results;
    const cell = results.results.find(
      (x) => x.registry === 'remote/acme' && x.feature === 'conformance.cleanup',
    );
    expect(cell?.status, cell?.detail).toBe('pass');
    const info = results.registries.find((x) => x.id === 'remote/acme')!;
    expect(info.cleanup?.deleted).toBeGreaterThan(20);
    expect(info.cleanup?.left).toEqual([]);
    expect(await tagged(r.ns)).toEqual([]);
  }, 180_000);

  it('after Ctrl-C midway: exit 130, what was pushed is deleted', async (ctx) => {
    if (!reg) return ctx.skip(skip);
    const r = await vendorRun(/started remote\/acme/);
    expect(r.code, r.text).toBe(130);
    expect(r.text).toMatch(/SIGINT: stopping; deleting what this run pushed/);
    const cleaned = /cleaned remote\/acme: (\d+) deleted, (\d+) refused, (\d+) left/.exec(r.text);
    expect(cleaned, r.text).not.toBeNull();
    expect(Number(cleaned![1])).toBeGreaterThan(0); // it had pushed something
    expect([cleaned![2], cleaned![3]]).toEqual(['0', '0']);
    expect(await tagged(r.ns)).toEqual([]);
  }, 180_000);
});
