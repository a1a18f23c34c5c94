// What a remote registry is, in the report (issue 22 item 5): Harbor's version
// from GET /api/v2.0/systeminfo with Basic credentials (REGISTRY-FACTS 2026-12-01:
// without them the answer has no version, and /v2/ carries none), a `version:` in
// the registries file otherwise, else "remote". Through the real CLI, a real
// distribution 2.8 behind a proxy that answers Harbor's systeminfo as Harbor does.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { Rule } from '../../registries/proxy/rule.ts';
import type { Results } from '../../reports/results.ts';
import { ocicat } from '../support/cli.ts';
import { useRegistry } from '../support/use-registry.ts';

const used = useRegistry('remote-version');
const PAIR = Buffer.from('vendor:Vers10n-pw').toString('base64');

// Harbor's systeminfo: the version only for an authenticated request
const systeminfo: Rule = {
  name: 'harbor: systeminfo',
  method: 'GET',
  path: /^\/api\/v2\.0\/systeminfo$/,
  reply: (req) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      req.headers.authorization === `Basic ${PAIR}`
        ? { harbor_version: 'v2.15.2-080b0220', auth_mode: 'db_auth' }
        : { auth_mode: 'db_auth' },
    ),
  }),
};

let runs = 0;
async function vendorRun(url: string, extra: string, password = 'Vers10n-pw') {
  const n = runs++;
  const file = join(used.dir, `v${n}.yaml`);
  await writeFile(
    file,
    `registries:\n  - name: acme\n    url: ${url}\n    namespace: library/v${n}\n    username: vendor\n    passwordEnv: ACME_PASSWORD\n${extra}`,
  );
  const out = join(used.dir, `out${n}`);
  const r = await ocicat(
    ['conformance', 'run', '--registries', file, '--feature', 'push.blob.monolithic', '--out', out],
    { home: join(used.dir, `home${n}`), env: { ACME_PASSWORD: password } },
  );
  const results = JSON.parse(
    await readFile(join(out, 'results.json'), 'utf8').catch(() => {
      throw new Error(r.stdout + r.stderr);
    }),
  ) as Results;
  return { r, info: results.registries.find((x) => x.id === 'remote/acme')! };
}

describe('the version of a remote registry', () => {
  it("kind: harbor reads Harbor's systeminfo with Basic credentials", async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    await using proxy = await startProxy(used.reg, [systeminfo]);
    const { r, info } = await vendorRun(`http://${proxy.host}`, '    kind: harbor\n');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(info.version).toBe('2.15.2-080b0220');
    // a Harbor that does not say (the credentials are not an admin's, say): "remote"
    const other = await vendorRun(`http://${proxy.host}`, '    kind: harbor\n', 'another-pw');
    expect(other.info.version).toBe('remote');
  });

  it('a version: in the registries file is shown; without one, "remote"', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const said = await vendorRun(`http://${used.reg.host}`, '    version: "2.1.20"\n');
    expect(said.info.version).toBe('2.1.20');
    const none = await vendorRun(`http://${used.reg.host}`, '');
    expect(none.info.version).toBe('remote');
  });
});
