// Zarf's plain-HTTP probe (issue 27; the Zarf vectors' README): since v0.81 Zarf
// tries HTTPS first even with --plain-http, and falls back to HTTP only when the
// server answers its TLS ClientHello with an HTTP status line; a server that closes
// the connection silently makes Zarf refuse to connect. Every plain-HTTP registry
// and proxy ocicat starts must answer so: the registries (Go's net/http), and the
// quirk and fault proxy (Node's http), with rules that answer for the registry too.
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { distribution312 } from '../../registries/definitions/distribution3.ts';
import { olareg } from '../../registries/definitions/olareg.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { profile } from '../../registries/proxy/profiles/index.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { tryStart } from '../support/registry.ts';

/** A real TLS ClientHello, as Node's TLS client sends it (the bytes a Zarf-like client opens with). */
async function clientHello(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createNetServer((s) => {
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      const c = tlsConnect({
        host: '127.0.0.1',
        port,
        servername: 'registry.local',
        rejectUnauthorized: false,
      });
      c.on('error', () => {});
    });
    server.on('error', reject);
  });
}

/** What a plain-HTTP server answers to a ClientHello: its first bytes, or '' when it closes silently. */
async function answerTo(host: string, hello: Buffer): Promise<string> {
  const [h, p] = [host.slice(0, host.lastIndexOf(':')), Number(host.slice(host.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const s: Socket = connect(p, h, () => s.write(hello));
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
    });
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
    s.setTimeout(5000, () => s.destroy());
  });
}

const regs: StartedRegistry[] = [];
let hello: Buffer;
let skip = '';
beforeAll(async () => {
  hello = await clientHello();
  for (const def of [distribution2, distribution312, olareg]) {
    const r = await tryStart(() => startProcess(def));
    if (r.reg) regs.push(r.reg);
    else skip ||= r.skip ?? '';
  }
});
afterAll(async () => {
  for (const r of regs) await r.stop();
});

describe("Zarf's plain-HTTP probe", () => {
  it('the ClientHello is one (record type 22, handshake)', () => {
    expect(hello[0]).toBe(0x16);
  });

  it('tells a server that closes silently (what makes Zarf refuse) from one that answers', async () => {
    const silent = createNetServer((c) => c.once('data', () => c.destroy()));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      expect(await answerTo(`127.0.0.1:${(silent.address() as { port: number }).port}`, hello)).toBe('');
    } finally {
      silent.close();
    }
  });

  it('every registry answers it with an HTTP status line', async (ctx) => {
    if (regs.length < 3) return ctx.skip(skip);
    for (const r of regs) expect(await answerTo(r.host, hello), r.name).toMatch(/^HTTP\/1\.[01] 400 /);
  });

  it('the quirk and fault proxy answer it with an HTTP status line, whatever its rules', async (ctx) => {
    if (!regs.length) return ctx.skip(skip);
    for (const rules of [
      [],
      profile('ghcr').rules(),
      [{ name: 'answers everything', reply: { status: 500 } }],
    ]) {
      await using proxy = await startProxy(regs[0]!, rules);
      expect(await answerTo(proxy.host, hello)).toMatch(/^HTTP\/1\.[01] 400 /);
    }
  });
});
