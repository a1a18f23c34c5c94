// A layer that breaks on the way (issue 24's regression): bytes flipped every
// 4 KiB from byte 1000, or the stream cut in its first KiB, while the one-pass
// pull (layer-pass.ts) inflates and vets it as it arrives. gunzip fails first, with
// most of the body still to come: the pull must end with one clear line and exit 1,
// leaving nothing in the cache (no .part), not stall with exit 13 and no message.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../harness/ops/context.ts';
import { packageCatalog } from '../../harness/ops/package.ts';
import { pushCatalog } from '../../harness/ops/push.ts';
import type { Rule } from '../../registries/proxy/rule.ts';
import { useRegistry } from '../support/use-registry.ts';
import { behindProxy, nothingCached, oneClearLine, pullThrough } from './hostile-support.ts';

const used = useRegistry('corrupt-layer');
const REF = 'hostile/big:1.0.0';
// the layer: every blob but the empty config (sha256:44136fa…, DESIGN "Catalog format")
const LAYER = /\/v2\/hostile\/big\/blobs\/sha256:(?!44136fa)/;

beforeAll(async () => {
  if (!used.reg) return;
  const src = join(used.dir, 'src');
  await mkdir(src);
  await writeFile(
    join(src, 'Catalog.yaml'),
    'apiVersion: kubara.io/v1alpha1\nkind: Catalog\nmetadata:\n  name: big\nspec:\n  version: 1.0.0\n',
  );
  // incompressible: a layer of about 20 MB in stored deflate blocks, whose length
  // fields the flips break (gunzip: "invalid stored block lengths") while most of
  // the body is still to come
  await writeFile(join(src, 'random.bin'), randomBytes(20 * 1000 * 1000));
  const h = await createContext({ home: join(used.dir, 'publisher'), plainHttp: true });
  const pkg = await packageCatalog(h, src, `oci://${used.reg.host}/hostile/`);
  await pushCatalog(h, pkg.reference);
  await h.client.close();
});

// [case, fault, what the line says, attempts]: the stall depended on timing (6 of
// 8 pulls of this layer stalled before the fix, measured here), so the flips are
// tried four times
const cases: Array<[string, Rule['action'], RegExp, number]> = [
  [
    'a byte flipped every 4 KiB from byte 1000',
    { kind: 'corrupt-response', atByte: 1000, every: 4096 },
    /content digest sha256:[0-9a-f]{64} does not match/,
    4,
  ],
  [
    'the stream cut after 700 bytes, every time it is asked',
    { kind: 'cut-response', afterBytes: 700 },
    /connection closed before the body ended/,
    1,
  ],
  [
    'the body ended cleanly after 0.004 % of it (inside its first KiB)',
    { kind: 'truncate-response', fraction: 0.00004 },
    /connection closed before the body ended/,
    1,
  ],
];

describe('a layer broken on the way', () => {
  it.for(cases)('%s: one clear line, exit 1, nothing cached', async ([, action, message, attempts], ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    await behindProxy(used.reg, [{ name: 'break', method: 'GET', path: LAYER, action }], async (p) => {
      for (let i = 0; i < attempts; i++) {
        const r = await pullThrough(p, used.dir, REF, ['--timeout', '60s']);
        expect(r.code, r.stderr).toBe(1);
        oneClearLine(r.stderr);
        expect(r.stderr).toMatch(message);
        await nothingCached(r.home);
      }
    });
  });

  it('the same layer through a proxy that leaves it alone is pulled', async (ctx) => {
    if (!used.reg) return ctx.skip(used.skip);
    const r = await behindProxy(used.reg, [], (p) => pullThrough(p, used.dir, REF));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Pulled/);
  });
});
