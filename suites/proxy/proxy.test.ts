// ocicat behind a corporate proxy (issue 16), against a real one: Debian's
// tinyproxy on 127.0.0.1 in front of real distribution 2.8 registries, over plain
// HTTP (absolute-form requests) and TLS (CONNECT tunnels). The proxy's own log is
// the evidence: what ocicat sent through it is there, what NO_PROXY exempts is not.
// ocicat (like Go's ProxyFromEnvironment) never proxies localhost or a loopback
// address, so the registries listen on this machine's name.
import { lookup } from 'node:dns/promises';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot, writeSampleCatalog } from '../../fixtures/tree.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { findTool } from '../../registries/tools.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import type { Results } from '../../reports/results.ts';
import { ocicat } from '../support/cli.ts';
import {
  startTinyproxy,
  startTlsFront,
  stunnelMissing,
  type Tinyproxy,
  tinyproxyMissing,
} from '../support/tinyproxy.ts';
import { vendorRun } from '../support/vendor-run.ts';

const PASSWORD = 'proxy-suite-Pa55';
const PROXY_PASSWORD = 'tiny-Pr0xy-secret';
let dir: string;
let skip = '';
let plain: StartedRegistry | undefined;
let other: StartedRegistry | undefined;
let tls: StartedRegistry | undefined;
let proxy: Tinyproxy;
const started: Tinyproxy[] = [];

/** This machine's name and the address it resolves to, or why there is none. */
async function machineName(): Promise<{ name: string; address: string } | string> {
  const name = hostname();
  if (!name || name === 'localhost') return 'this machine has no name but localhost, which is never proxied';
  try {
    const { address } = await lookup(name, { family: 4 });
    return { name, address };
  } catch {
    return `this machine's name ${name} does not resolve`;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-proxy-'));
  const missing = tinyproxyMissing();
  const listen = await machineName();
  if (missing || typeof listen === 'string') {
    skip = missing ?? (listen as string);
    return;
  }
  try {
    const login = { username: 'vendor', password: PASSWORD };
    [plain, other, tls] = await Promise.all([
      startDistribution2({ auth: 'htpasswd', login, listen }),
      startDistribution2({ listen }),
      startDistribution2({ tls: true, listen }),
    ]);
  } catch (e) {
    skip = `the registries cannot listen on ${listen.name} (${listen.address}): ${(e as Error).message}`;
    return;
  }
  proxy = await startTinyproxy();
  started.push(proxy);
  await writeSampleCatalog(join(dir, 'src'), 'shop');
  // the catalog each test pulls, pushed directly (no proxy variables)
  await session(
    [
      [
        'catalog',
        'package',
        `oci://${tls.host}/team/`,
        '--work-dir',
        join(dir, 'src'),
        '--ca-file',
        tls.caFile!,
      ],
      ['catalog', 'push', `oci://${tls.host}/team/shop:1.0.0`, '--ca-file', tls.caFile!],
    ],
    {},
  );
}, 60_000);

afterAll(async () => {
  for (const p of started) await p.stop();
  await Promise.all([plain?.stop(), other?.stop(), tls?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

let homes = 0;
function cli(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  return ocicat(args[0] === 'catalog' ? [...args, '--no-progress'] : args, {
    home: join(dir, `home${homes++}`),
    cwd: dir,
    env: { NO_PROXY: '', no_proxy: '', ...env },
    ...(input ? { input } : {}),
  });
}
const through = (p: Tinyproxy) => ({ HTTP_PROXY: p.url, HTTPS_PROXY: p.url });

/** Each command in one home, stopping at the first that fails. */
async function session(commands: string[][], env: NodeJS.ProcessEnv) {
  const home = join(dir, `home${homes++}`);
  const out: string[] = [];
  for (const args of commands) {
    const r = await ocicat([...args, '--no-progress'], {
      home,
      cwd: dir,
      env: { NO_PROXY: '', no_proxy: '', ...env },
      input: PASSWORD,
    });
    out.push(r.stdout + r.stderr);
    expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
  }
  return out.join('');
}

/** The proxy's log lines that arrived while fn ran. */
async function logged(p: Tinyproxy, fn: () => Promise<unknown>): Promise<string[]> {
  const before = (await p.requests()).length;
  await fn();
  return (await p.requests()).slice(before);
}

describe('through an HTTP proxy (tinyproxy)', () => {
  it('package, push, pull and promote to another registry over plain HTTP: every request goes through it', async (ctx) => {
    if (!plain || !other) return ctx.skip(skip);
    const ref = `oci://${plain.host}/team/shop:1.0.0`;
    const promoted = `oci://${other.host}/mirror/shop:1.0.0`;
    let pulled = '';
    const lines = await logged(proxy, async () => {
      await session(
        [
          ['catalog', 'login', plain!.host, '-u', 'vendor', '--password-stdin', '--plain-http'],
          [
            'catalog',
            'package',
            `oci://${plain!.host}/team/`,
            '--work-dir',
            join(dir, 'src'),
            '--plain-http',
          ],
          ['catalog', 'push', ref, '--plain-http'],
        ],
        through(proxy),
      );
      pulled = join(dir, 'pulled-plain');
      await session(
        [
          ['catalog', 'login', plain!.host, '-u', 'vendor', '--password-stdin', '--plain-http'],
          ['catalog', 'pull', ref, '--plain-http'],
          ['catalog', 'unpackage', ref, pulled],
          ['catalog', 'push', promoted, '--from', ref, '--plain-http'],
        ],
        through(proxy),
      );
    });
    expect(await snapshot(pulled)).toEqual(await snapshot(join(dir, 'src')));
    const to = (host: string, what: RegExp) =>
      lines.filter((l) => l.includes(`http://${host}/`) && what.test(l));
    // the push: blobs uploaded and the manifest put, through the proxy
    expect(to(plain.host, /^PUT .*\/v2\/team\/shop\/manifests\/1\.0\.0 /).length).toBe(1);
    expect(to(plain.host, /^(POST|PUT|PATCH) .*\/blobs\/uploads\//).length).toBeGreaterThanOrEqual(2);
    // the pull: the layer's GET (ocicat's socket reader) and the manifest
    expect(to(plain.host, /^GET .*\/v2\/team\/shop\/blobs\/sha256:/).length).toBeGreaterThanOrEqual(2);
    expect(to(plain.host, /^GET .*\/v2\/team\/shop\/manifests\/1\.0\.0 /).length).toBeGreaterThanOrEqual(1);
    // the promotion: to the other registry, through the proxy too
    expect(to(other.host, /^PUT .*\/v2\/mirror\/shop\/manifests\/1\.0\.0 /).length).toBe(1);
    // nothing but absolute-form requests to the two registries
    expect(
      lines.every((l) => l.includes(`http://${plain!.host}/`) || l.includes(`http://${other!.host}/`)),
    ).toBe(true);
  });

  it('over TLS: CONNECT tunnels, the registry certificate checked inside them', async (ctx) => {
    if (!tls) return ctx.skip(skip);
    const ref = `oci://${tls.host}/team/shop:1.0.0`;
    const ca = ['--ca-file', tls.caFile!];
    const pulled = join(dir, 'pulled-tls');
    const lines = await logged(proxy, () =>
      session(
        [
          ['catalog', 'package', `oci://${tls!.host}/team/`, '--work-dir', join(dir, 'src'), ...ca],
          ['catalog', 'push', ref, ...ca],
          ['catalog', 'pull', ref, ...ca],
          ['catalog', 'unpackage', ref, pulled],
        ],
        through(proxy),
      ),
    );
    expect(await snapshot(pulled)).toEqual(await snapshot(join(dir, 'src')));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l === `CONNECT ${tls!.host} HTTP/1.1`)).toBe(true);
    // without the CA the tunnel still opens, and TLS inside it fails as it would directly
    const r = await cli(['catalog', 'inspect', ref, '--remote'], through(proxy));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TLS failed/);
  });

  it('NO_PROXY: the registry named there is reached directly; others still go through the proxy', async (ctx) => {
    if (!plain || !tls) return ctx.skip(skip);
    const name = plain.host.split(':')[0]!;
    const port = plain.host.split(':')[1]!;
    for (const no of [name, `${name}:${port}`, '*']) {
      const lines = await logged(proxy, async () => {
        const r = await cli(
          ['catalog', 'inspect', `oci://${plain!.host}/team/shop:1.0.0`, '--remote', '--plain-http'],
          {
            ...through(proxy),
            NO_PROXY: no,
            OCICAT_TEST_USER: 'unused',
          },
        );
        // anonymous: the registry answers 401 directly, not the proxy
        expect(r.stderr, no).toMatch(/401|unauthorized|credentials/i);
      });
      expect(lines, `NO_PROXY=${no}`).toEqual([]);
    }
    // a port that is not the registry's: still proxied
    const lines = await logged(proxy, () =>
      cli(['catalog', 'inspect', `oci://${plain!.host}/team/shop:1.0.0`, '--remote', '--plain-http'], {
        ...through(proxy),
        no_proxy: `${name}:1`,
      }),
    );
    expect(lines.length).toBeGreaterThan(0);
  });

  it('credentials in the proxy URL are used and never printed; without them, one line naming the proxy', async (ctx) => {
    if (!tls) return ctx.skip(skip);
    const authed = await startTinyproxy({ auth: { user: 'corp', password: PROXY_PASSWORD } });
    started.push(authed);
    const ref = `oci://${tls.host}/team/shop:1.0.0`;
    const ok = await cli(['catalog', 'pull', ref, '--ca-file', tls.caFile!, '--debug'], through(authed));
    expect(ok.code, ok.stderr).toBe(0);
    expect((await authed.requests()).some((l) => l.startsWith(`CONNECT ${tls!.host}`))).toBe(true);
    const b64 = Buffer.from(`corp:${PROXY_PASSWORD}`).toString('base64');
    expect(ok.stdout + ok.stderr).not.toContain(PROXY_PASSWORD);
    expect(ok.stdout + ok.stderr).not.toContain(b64);

    const bare = authed.url.replace(/\/\/[^@]*@/, '//');
    const no = await cli(
      ['catalog', 'pull', ref, '--ca-file', tls.caFile!],
      through({ url: bare } as Tinyproxy),
    );
    expect(no.code).toBe(1);
    expect(no.stderr.split('\n')[0]).toBe(
      `error: proxy ${bare} refused CONNECT ${tls.host}: 407 Proxy Authentication Required (it wants credentials: http://user:password@host:port)`,
    );
    const wrong = authed.url.replace(PROXY_PASSWORD, 'not-the-Pa55');
    const bad = await cli(
      ['catalog', 'pull', ref, '--ca-file', tls.caFile!],
      through({ url: wrong } as Tinyproxy),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr, bad.stderr).toMatch(
      /refused CONNECT .*: 40[17] .*refused the credentials in the proxy URL/,
    );
    expect(bad.stderr).toContain('corp:***@');
    expect(bad.stderr).not.toContain('not-the-Pa55');
  });
});

describe('through an HTTPS proxy (stunnel in front of tinyproxy)', () => {
  it('TLS to the proxy, checked with the CA file; tunnels and absolute-form requests inside it', async (ctx) => {
    if (!tls || !other) return ctx.skip(skip);
    const missing = stunnelMissing();
    if (missing) return ctx.skip(missing);
    const front = await startTlsFront(proxy);
    try {
      // one CA file for the proxy and the registry, as with --ca-file in Go's tools
      const both = join(dir, 'proxy-and-registry-ca.pem');
      await writeFile(both, (await readFile(front.caFile, 'utf8')) + (await readFile(tls.caFile!, 'utf8')));
      const env = { HTTPS_PROXY: front.url, HTTP_PROXY: front.url };
      // a catalog on the anonymous plain registry, pushed directly (no proxy)
      const plainRef = `oci://${other.host}/https-proxy/shop:1.0.0`;
      await session(
        [
          [
            'catalog',
            'package',
            `oci://${other.host}/https-proxy/`,
            '--work-dir',
            join(dir, 'src'),
            '--plain-http',
          ],
          ['catalog', 'push', plainRef, '--plain-http'],
        ],
        {},
      );
      const lines = await logged(proxy, async () => {
        const pulled = await cli(
          ['catalog', 'pull', `oci://${tls!.host}/team/shop:1.0.0`, '--ca-file', both],
          env,
        );
        expect(pulled.code, pulled.stderr).toBe(0);
        // a plain-HTTP registry through the https proxy: absolute form inside its TLS,
        // the layer's GET by the socket reader included
        const viaPlain = await cli(['catalog', 'pull', plainRef, '--plain-http', '--ca-file', both], env);
        expect(viaPlain.code, viaPlain.stderr).toBe(0);
        // and no warning (Node's about a server name that is an IP address, once printed)
        expect(pulled.stderr).toBe('');
      });
      expect(lines).toContain(`CONNECT ${tls.host} HTTP/1.1`);
      const blobGets = lines.filter((l) =>
        l.startsWith(`GET http://${other!.host}/v2/https-proxy/shop/blobs/`),
      );
      expect(blobGets.length, lines.join('\n')).toBe(2); // the config and the layer
      // without the proxy's CA: refused at the proxy, in one line naming it
      const untrusted = await cli(
        ['catalog', 'pull', `oci://${tls.host}/team/shop:1.0.0`, '--ca-file', tls.caFile!],
        env,
      );
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr.split('\n')[0]).toMatch(
        new RegExp(`^error: proxy ${front.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: TLS failed \\(`),
      );
    } finally {
      await front.stop();
    }
  });
});

describe('a proxy that cannot be used: one line naming it, its password hidden', () => {
  it('unreachable', async (ctx) => {
    if (!tls || !plain) return ctx.skip(skip);
    const url = `http://corp:${PROXY_PASSWORD}@127.0.0.1:9`;
    for (const [ref, flags] of [
      [`oci://${tls.host}/team/shop:1.0.0`, ['--ca-file', tls.caFile!]],
      [`oci://${plain.host}/team/shop:1.0.0`, ['--plain-http']],
    ] as const) {
      const r = await cli(['catalog', 'pull', ref, ...flags], { HTTPS_PROXY: url, HTTP_PROXY: url });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.split('\n')[0]).toBe(
        'error: proxy http://corp:***@127.0.0.1:9 cannot be reached (ECONNREFUSED)',
      );
      expect(r.stderr).not.toContain(PROXY_PASSWORD);
    }
  });

  it('malformed', async (ctx) => {
    if (!tls) return ctx.skip(skip);
    const r = await cli(['catalog', 'pull', `oci://${tls.host}/team/shop:1.0.0`], {
      HTTPS_PROXY: `http://corp:${PROXY_PASSWORD}@[proxy`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('error: HTTPS_PROXY "http://corp:***@[proxy" is not a proxy URL');
    expect(r.stderr).not.toContain(PROXY_PASSWORD);
  });

  it('refusing CONNECT to the registry port', async (ctx) => {
    if (!tls) return ctx.skip(skip);
    const strict = await startTinyproxy({ connectOnly443: true });
    started.push(strict);
    const r = await cli(
      ['catalog', 'pull', `oci://${tls.host}/team/shop:1.0.0`, '--ca-file', tls.caFile!],
      through(strict),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(
      new RegExp(`^error: proxy http://127\\.0\\.0\\.1:\\d+ refused CONNECT ${tls.host}: 403 `),
    );
  });
});

describe('a vendor run through the proxy', () => {
  it('features, the peer tools it starts (oras) and the clean-up all go through it', async (ctx) => {
    if (!plain) return ctx.skip(skip);
    const hasOras = !!(await findTool('oras'));
    const features = ['push.blob.monolithic', 'catalog.push', ...(hasOras ? ['interop.oras.pull'] : [])];
    let r: Awaited<ReturnType<typeof vendorRun>> | undefined;
    const lines = await logged(proxy, async () => {
      r = await vendorRun({
        dir,
        url: `http://${plain!.host}`,
        password: PASSWORD,
        features,
        env: { NO_PROXY: '', no_proxy: '', ...through(proxy) },
      });
    });
    const out = r!.out;
    const written = await readFile(join(out, 'results.json'), 'utf8').catch(() => '');
    expect(written, r!.stdout + r!.stderr).not.toBe('');
    const results = JSON.parse(written) as Results;
    const cells = results.results.filter(
      (c) => c.registry === 'remote/acme' && c.feature !== 'conformance.cleanup',
    );
    expect(r!.code, JSON.stringify(cells)).toBe(0);
    expect(cells.every((c) => c.status === 'pass')).toBe(true);
    const ns = /\/v2\/acme\/conformance\/run-/;
    expect(lines.filter((l) => ns.test(l) && l.startsWith('PUT ')).length).toBeGreaterThan(0);
    // the clean-up's DELETEs went through it too
    expect(lines.filter((l) => ns.test(l) && l.startsWith('DELETE ')).length).toBeGreaterThan(0);
    // oras pulled the catalog ocicat pushed through it (it reads HTTP_PROXY like
    // ocicat; ocicat's push GETs no blob, so these GETs are oras's). oras over plain
    // HTTP through tinyproxy can only GET: tinyproxy closes each connection after one
    // answer, and Go resends only idempotent requests on a connection closed that way.
    if (hasOras)
      expect(
        lines.some((l) => /^GET .*\/interop-[^/]*\/probe\/blobs\/sha256:/.test(l)),
        lines.join('\n'),
      ).toBe(true);
    const text = r!.stdout + r!.stderr + (await readFile(join(out, 'report.md'), 'utf8'));
    expect(text).not.toContain(PASSWORD);
  });
});
