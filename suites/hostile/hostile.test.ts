// A hostile registry (issue 18): a real distribution 2.8 behind the quirk proxy,
// whose rules answer as an attacker would. Each case runs the real CLI (or the
// client, where a limit needs a shorter clock than the CLI's defaults) and asserts
// what must hold: one clear line and the right exit code, bounded time and bytes
// read, nothing cached or half written, and no secret in any output.
// Hostile layers (link chains, "..", devices, bombs) are EVIL_CASES, pulled from
// a real registry in suites/catalog/rules.test.ts.

import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSampleCatalog } from '../../fixtures/tree.ts';
import { isOcicatError } from '../../harness/errors.ts';
import { createContext } from '../../harness/ops/context.ts';
import { packageCatalog } from '../../harness/ops/package.ts';
import { pushCatalog } from '../../harness/ops/push.ts';
import { RegistryClient } from '../../harness/remote/client.ts';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import type { StartedProxy } from '../../registries/proxy/proxy.ts';
import type { Rule } from '../../registries/proxy/rule.ts';
import { makeTls } from '../../registries/tls/ca.ts';
import { ocicat } from '../support/cli.ts';
import { useRegistry } from '../support/use-registry.ts';
import { vendorRun } from '../support/vendor-run.ts';
import { behindProxy, endless, nothingCached, oneClearLine, pullThrough, raw } from './hostile-support.ts';

const used = useRegistry('hostile');
let blobPath = ''; // the layer's blob path, e.g. /v2/hostile/sample/blobs/sha256:...
const REPO = 'hostile/sample';

beforeAll(async () => {
  if (!used.reg) return;
  await writeSampleCatalog(join(used.dir, 'src'), 'sample');
  const h = await createContext({ home: join(used.dir, 'publisher'), plainHttp: true });
  const pkg = await packageCatalog(h, join(used.dir, 'src'), `oci://${used.reg.host}/hostile/`);
  await pushCatalog(h, pkg.reference);
  await h.client.close();
  const m = await new RemoteRepository(used.client, {
    registry: used.reg.host,
    repository: REPO,
  }).getManifest('1.0.0');
  const layer = (m.parsed.manifest as { layers: Array<{ digest: string }> }).layers[0]!;
  blobPath = `/v2/${REPO}/blobs/${layer.digest}`;
});

const behind = <T>(rules: Rule[], fn: (p: StartedProxy) => Promise<T>) => behindProxy(used.reg!, rules, fn);
const pull = (p: StartedProxy, extra: string[] = []) => pullThrough(p, used.dir, `${REPO}:1.0.0`, extra);
let homes = 0;

const MiB = 1024 * 1024;

describe('hostile registry: bodies that never end', () => {
  it.for([
    [401, { 'www-authenticate': 'Basic realm="x"' }, /401 authentication required/],
    [503, { 'retry-after': '0' }, /503/],
  ] as const)(
    'an endless %i body is read at most 64 KiB a time and the pull fails clearly',
    async ([status, headers, message], ctx) => {
      if (!used.reg) return ctx.skip(used.skip);
      const sent = { bytes: 0 };
      const r = await behind(
        [
          {
            name: 'endless',
            method: 'GET',
            path: /\/manifests\//,
            action: { kind: 'serve', serve: endless(status, headers, sent) },
          },
        ],
        (p) => pull(p),
      );
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      oneClearLine(r.stderr);
      await nothingCached(r.home);
      // 1 try (401) or 6 tries (503), each stopped after 64 KiB plus what the sockets buffered
      expect(sent.bytes).toBeLessThan(6 * 8 * MiB);
      expect(r.ms).toBeLessThan(30_000);
    },
  );

  it('an endless redirect body is left after 64 KiB and the redirect is followed', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const sent = { bytes: 0 };
    const r = await behind(
      [
        {
          name: 'endless-302',
          method: 'GET',
          path: /\/blobs\//,
          times: 1,
          action: {
            kind: 'serve',
            serve: (req, res) => endless(302, { location: `${req.url}?again=1` }, sent)(req, res),
          },
        },
      ],
      (p) => pull(p),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(sent.bytes).toBeLessThan(8 * MiB);
  });
});

describe('hostile registry: answers that never come or crawl', () => {
  it('a registry that never answers: the command deadline (--timeout) ends it, nothing cached', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const r = await behind(
      [{ name: 'silent', method: 'GET', path: /\/manifests\//, action: { kind: 'serve', serve: () => {} } }],
      (p) => pull(p, ['--timeout', '3s']),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not finish within 3 s; nothing partial was kept/);
    expect(r.ms).toBeLessThan(15_000);
    await nothingCached(r.home);
  });

  it('a registry that never answers: a request times out and is asked once more, not five times', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    await behind(
      [{ name: 'silent', method: 'GET', path: /\/manifests\//, action: { kind: 'serve', serve: () => {} } }],
      async (p) => {
        const client = new RegistryClient({
          plainHttp: true,
          headersTimeoutMs: 500,
          retry: { baseDelayMs: 10 },
        });
        const err = await new RemoteRepository(client, { registry: p.host, repository: REPO })
          .getManifest('1.0.0')
          .catch((e) => e);
        await client.close();
        expect(isOcicatError(err, 'TIMEOUT'), String(err)).toBe(true);
        expect(p.hits.filter((h) => h.rule === 'silent')).toHaveLength(2);
      },
    );
  });

  it('a body sent a byte at a time falls under the rate floor and fails', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const trickle = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-length': '1000000', 'content-type': 'application/octet-stream' });
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('x')), 500);
      res.on('close', () => clearInterval(t));
    };
    await behind(
      [{ name: 'trickle', method: 'GET', path: /\/blobs\//, action: { kind: 'serve', serve: trickle } }],
      async (p) => {
        const client = new RegistryClient({
          plainHttp: true,
          rateFloor: { minBytesPerSecond: 1024, windowMs: 2000 },
          retry: { baseDelayMs: 10 },
        });
        const repo = new RemoteRepository(client, { registry: p.host, repository: REPO });
        const t = performance.now();
        const err = await (async () => {
          const digest = blobPath.split('/').at(-1)!;
          for await (const _ of await repo.readBlob({ digest, size: 1_000_000 })) void _;
        })().catch((e) => e);
        await client.close();
        expect(isOcicatError(err, 'TIMEOUT'), String(err)).toBe(true);
        expect(String(err.message)).toMatch(/too slow/);
        expect(performance.now() - t).toBeLessThan(20_000);
      },
    );
  });
});

describe('hostile registry: malformed and misleading answers', () => {
  it.for([
    ['Content-Length with Transfer-Encoding on a manifest (node:http)', /\/manifests\//],
    ['Content-Length with Transfer-Encoding on a blob (socket reader)', /\/blobs\//],
  ] as const)('%s: refused as malformed, never retried', async ([, path], ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const r = await behind(
      [
        {
          name: 'smuggle',
          method: 'GET',
          path,
          action: {
            kind: 'serve',
            serve: raw(
              'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
            ),
          },
        },
      ],
      async (p) => ({ ...(await pull(p)), hits: p.hits.length }),
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/malformed HTTP answer|Transfer-Encoding/);
    oneClearLine(r.stderr);
    expect(r.hits).toBe(1);
    await nothingCached(r.home);
  });

  // issue 24: an endless stream of 1xx answers was bounded only by the 60 s head timeout
  it.for([
    ['on a manifest (node:http)', /\/manifests\//],
    ['on a blob (socket reader)', /\/blobs\/sha256:(?!44136fa)/],
  ] as const)('endless 103 Early Hints %s: refused after a few, never retried', async ([, path], ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const sent = { bytes: 0 };
    const hints = (_req: IncomingMessage, res: ServerResponse) => {
      const socket = res.socket!;
      const hint = Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n');
      const more = () => {
        while (!socket.destroyed) {
          sent.bytes += hint.length;
          if (!socket.write(hint)) return void socket.once('drain', more);
        }
      };
      socket.on('error', () => {});
      more();
    };
    const r = await behind(
      [{ name: 'hints', method: 'GET', path, action: { kind: 'serve', serve: hints } }],
      (p) => pull(p),
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/malformed HTTP answer \(more than 8 interim \(1xx\) answers\)/);
    oneClearLine(r.stderr);
    expect(r.ms).toBeLessThan(20_000);
    expect(sent.bytes).toBeLessThan(64 * MiB);
    await nothingCached(r.home);
  });

  it('a redirect to ftp:// is refused', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const r = await behind(
      [
        {
          name: 'ftp',
          method: 'GET',
          path: /\/blobs\//,
          reply: { status: 307, headers: { location: 'ftp://127.0.0.1/x' } },
        },
      ],
      (p) => pull(p),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only http and https are spoken/);
    oneClearLine(r.stderr);
    await nothingCached(r.home);
  });

  it('terminal escape sequences in an error are not printed', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const evil = 'gone \u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u0008\u0000';
    const r = await behind(
      [
        {
          name: 'escape',
          method: 'GET',
          path: /\/manifests\//,
          reply: {
            status: 404,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: evil }] }),
          },
        },
      ],
      (p) => pull(p, ['--debug']),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gone/);
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('a manifest too large is the registry fault: exit 1, not 2', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const big = Buffer.alloc(9 * MiB, 0x20);
    const r = await behind(
      [
        {
          name: 'big',
          method: 'GET',
          path: /\/manifests\//,
          reply: {
            status: 200,
            headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
            body: big,
          },
        },
      ],
      (p) => pull(p),
    );
    expect(r.code, r.stderr).toBe(1);
    oneClearLine(r.stderr);
    await nothingCached(r.home);
  });

  it('tag pages that link on for ever stop at the page cap', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    let page = 0;
    await behind(
      [
        {
          name: 'pages',
          method: 'GET',
          path: /\/tags\/list/,
          reply: () => {
            page++;
            return {
              status: 200,
              headers: {
                'content-type': 'application/json',
                link: `</v2/${REPO}/tags/list?n=1&last=t${page}>; rel="next"`,
              },
              body: JSON.stringify({ name: REPO, tags: [`t${page}`] }),
            };
          },
        },
      ],
      async (p) => {
        const client = new RegistryClient({ plainHttp: true });
        const err = await new RemoteRepository(client, { registry: p.host, repository: REPO })
          .listTags({ maxPages: 200 })
          .catch((e) => e);
        await client.close();
        expect(isOcicatError(err, 'PROTOCOL')).toBe(true);
        expect(err.message).toMatch(/goes on past 200 pages/);
        expect(page).toBe(200);
      },
    );
  });

  // issue 24 N11: the next page of a tag list on another host was fetched (blind SSRF)
  it.for(['another host', 'localhost'])(
    'a tag page linking to %s is refused, nothing sent there',
    async (what, ctx) => {
      if (!used.reg) return ctx.skip(used.skip);
      let asked = 0;
      const elsewhere = createHttpServer((_req, res) => {
        asked++;
        res.end('{"tags":[]}');
      });
      await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
      const port = (elsewhere.address() as AddressInfo).port;
      const target = what === 'localhost' ? `http://localhost:${port}` : `http://127.0.0.2:${port}`;
      try {
        await behind(
          [
            {
              name: 'link-away',
              method: 'GET',
              path: /\/tags\/list/,
              reply: {
                status: 200,
                headers: {
                  'content-type': 'application/json',
                  link: `<${target}/v2/x/tags/list?n=1>; rel="next"`,
                },
                body: JSON.stringify({ name: REPO, tags: ['1.0.0'] }),
              },
            },
          ],
          async (p) => {
            const client = new RegistryClient({ plainHttp: true });
            const err = await new RemoteRepository(client, { registry: p.host, repository: REPO })
              .listTags({ pageSize: 1 })
              .catch((e) => e);
            await client.close();
            expect(isOcicatError(err, 'PROTOCOL'), String(err)).toBe(true);
            expect(err.message).toMatch(
              /next page is on http:\/\/(localhost|127\.0\.0\.2):\d+, not on the registry/,
            );
            // and through the CLI: a missing tag lists the tags there
            const r = await ocicat(['catalog', 'pull', `oci://${p.host}/${REPO}:9.9.9`, '--plain-http'], {
              home: join(used.dir, `home-${homes++}`),
            });
            expect(r.code).toBe(1);
            oneClearLine(r.stderr);
          },
        );
        expect(asked).toBe(0);
      } finally {
        elsewhere.close();
      }
    },
  );

  it('a tag outside the grammar is refused', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    await behind(
      [
        {
          name: 'bad-tag',
          method: 'GET',
          path: /\/tags\/list/,
          reply: { status: 200, body: JSON.stringify({ name: REPO, tags: ['ok', '../../etc'] }) },
        },
      ],
      async (p) => {
        const client = new RegistryClient({ plainHttp: true });
        const err = await new RemoteRepository(client, { registry: p.host, repository: REPO })
          .listTags()
          .catch((e) => e);
        await client.close();
        expect(err.message).toMatch(/"..\/..\/etc" is not a tag/);
      },
    );
  });
});

describe('hostile registry: credentials', () => {
  // The registry behind is anonymous; the proxy demands Basic credentials and echoes
  // them back (header and decoded) in the error of every manifest GET.
  const echo: Rule[] = [
    {
      name: 'challenge',
      when: (req) => req.headers.authorization === undefined,
      reply: { status: 401, headers: { 'www-authenticate': 'Basic realm="echo"' } },
    },
    {
      name: 'echo',
      method: 'GET',
      path: /\/manifests\//,
      reply: (req) => {
        const auth = String(req.headers.authorization);
        const decoded = Buffer.from(auth.split(' ')[1] ?? '', 'base64').toString();
        return {
          status: 404,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            errors: [
              {
                code: 'MANIFEST_UNKNOWN',
                message: `you sent ${auth} (${decoded}, ${encodeURIComponent(decoded)})`,
              },
            ],
          }),
        };
      },
    },
  ];

  it.for(['p@ss w:rd/+', 'ab'])(
    'a password (%j) echoed by the registry appears nowhere in the output',
    async (password, ctx) => {
      if (!used.reg) return ctx.skip(used.skip);
      await behind(echo, async (p) => {
        const home = join(used.dir, `home-${homes++}`);
        const login = await ocicat(
          ['catalog', 'login', p.host, '-u', 'vendor', '--password-stdin', '--plain-http'],
          {
            home,
            input: password,
          },
        );
        expect(login.code, login.stderr).toBe(0);
        const r = await ocicat(
          ['catalog', 'pull', `oci://${p.host}/${REPO}:1.0.0`, '--plain-http', '--debug'],
          { home },
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/you sent Basic \[redacted\]/);
        const pair = `vendor:${password}`;
        for (const form of [
          password.length >= 4 ? password : `:${password} `,
          Buffer.from(pair).toString('base64'),
          encodeURIComponent(pair),
          encodeURIComponent(password),
        ])
          expect(r.stderr + r.stdout).not.toContain(form);
      });
    },
  );

  it('vendor mode: a password the registry echoes reaches no report, evidence or terminal', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const password = 'Vendor-p@ss w0rd';
    await behind(echo, async (p) => {
      const run = await vendorRun({
        dir: used.dir,
        url: `http://${p.host}`,
        name: 'vendor',
        namespace: 'vendor/hostile',
        passwordEnv: 'HOSTILE_PASSWORD',
        password,
        features: ['catalog.pull', 'interop.skopeo'],
      });
      const out = run.out;
      const files = (await readdir(out, { recursive: true })).filter((f) =>
        /\.(json|xml|md|html|txt|log)$/.test(f),
      );
      expect(files.length).toBeGreaterThan(3);
      const written = (await Promise.all(files.map((f) => readFile(join(out, f), 'utf8')))).join('\n');
      // the echo reached the evidence, scrubbed
      expect(written).toMatch(/you sent Basic \[redacted\]/);
      const pair = `vendor:${password}`;
      for (const form of [
        password,
        Buffer.from(pair).toString('base64'),
        encodeURIComponent(pair),
        encodeURIComponent(password),
      ]) {
        expect(written).not.toContain(form);
        expect(run.text).not.toContain(form);
      }
    });
  });

  it('an https registry whose token realm is http:// gets no credentials sent in clear', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const tls = await makeTls(await (await import('node:fs/promises')).mkdtemp(join(used.dir, 'tls-')));
    let tokenRequests = 0;
    const plain = createHttpServer((_req, res) => {
      tokenRequests++;
      res.end('{"token":"t"}');
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const realm = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/token`;
    const registry = createHttpsServer(
      { key: await readFile(tls.keyFile), cert: await readFile(tls.certFile) },
      (_req, res) => {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="r"` });
        res.end();
      },
    );
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
    try {
      const r = await ocicat(
        ['catalog', 'login', host, '-u', 'vendor', '--password-stdin', '--ca-file', tls.caFile],
        {
          home: join(used.dir, `home-${homes++}`),
          input: 'secret-pw',
        },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/does not leave TLS for plain http/);
      expect(tokenRequests).toBe(0);
    } finally {
      registry.closeAllConnections();
      await new Promise((r) => registry.close(r));
      await new Promise((r) => plain.close(r));
    }
  });
});

describe('hostile catalogs on disk', () => {
  it('a 1 MiB+ Catalog.yaml is refused before it is parsed', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const src = join(used.dir, 'huge');
    await writeSampleCatalog(src, 'huge');
    const { appendFile } = await import('node:fs/promises');
    await appendFile(join(src, 'Catalog.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    const home = join(used.dir, `home-${homes++}`);
    const r = await ocicat(['catalog', 'package', `oci://${used.reg.host}/hostile/`, '--work-dir', src], {
      home,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/at most 1048576 bytes/);
    expect((await stat(join(home, 'cache')).catch(() => undefined))?.isDirectory() ?? false).toBe(true);
    await nothingCached(home);
  });
});
