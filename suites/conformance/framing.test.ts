// The two checks of how a registry answers uploads framed as the official suite
// frames them (issue 28's review): push.chunked-body (bodies sent with
// Transfer-Encoding: chunked) and push.blob.chunked's one-chunk answer (202 with
// Location and Range). Each passes on real registries (distribution 2.8 and olareg)
// and fails behind the profile rule that models the registry doing it wrong:
// ACR's refusal of chunked bodies, ECR's 201 with a Range that stays at 0-0
// (REGISTRY-FACTS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribution2 } from '../../registries/definitions/distribution2.ts';
import { olareg } from '../../registries/definitions/olareg.ts';
import { startProcess } from '../../registries/providers/process.ts';
import { acr } from '../../registries/proxy/profiles/acr.ts';
import { ecr } from '../../registries/proxy/profiles/ecr.ts';
import { startProxy } from '../../registries/proxy/proxy.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { verdictOf } from '../support/feature-verdict.ts';
import { tryStart } from '../support/registry.ts';
import { blobFeatures } from './features/blobs.ts';
import { chunkedBodyFeatures } from './features/chunked-body.ts';

let regs: StartedRegistry[] = [];
let skip = '';
beforeAll(async () => {
  const a = await tryStart(() => startProcess(distribution2));
  const b = await tryStart(() => startProcess(olareg));
  regs = [a.reg, b.reg].filter((r): r is StartedRegistry => r !== undefined);
  skip = a.skip ?? b.skip ?? '';
});
afterAll(async () => {
  for (const r of regs) await r.stop();
});

const FEATURES = [...blobFeatures, ...chunkedBodyFeatures];
const rule = (rules: ReturnType<typeof acr.rules>, name: string) => {
  const r = rules.filter((x) => x.name === name);
  expect(r).toHaveLength(1);
  return r;
};

describe('framing checks', () => {
  it.for([
    [
      'push.chunked-body',
      () => rule(acr.rules(), 'acr: Transfer-Encoding chunked'),
      /400 CONTENT_LENGTH_INVALID/,
    ],
    [
      'push.blob.chunked',
      () => rule(ecr.rules(), 'ecr: PATCH answers 201, Range stuck'),
      /answered 201 with Range 0-0/,
    ],
  ] as const)(
    '%s: passes on distribution 2.8 and olareg, fails behind the profile rule',
    async ([id, rules, why], ctx) => {
      if (regs.length < 2) return ctx.skip(skip || 'no registry');
      for (const reg of regs) {
        const ok = await verdictOf(FEATURES, id, reg.host, 'framing');
        expect(ok.status, `${reg.name}: ${ok.detail}`).toBe('pass');
        await using proxy = await startProxy(reg, rules());
        const bad = await verdictOf(FEATURES, id, proxy.host, 'framing');
        expect(bad.status, `${reg.name} behind the rule: ${bad.detail}`).toBe('fail');
        expect(bad.detail).toMatch(why);
      }
    },
  );
});
