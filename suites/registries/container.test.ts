// Every local registry, in every auth variant, through the container provider
// (testcontainers on the local Docker engine, images built from the installed
// binaries under the official names): push and pull through it, and stop()
// leaves no container and no temp dir. No engine, or no image, is a skip with
// the reason.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LOCAL_REGISTRIES } from '../../registries/definitions/index.ts';
import { startContainer } from '../../registries/providers/container.ts';
import type { AuthVariant } from '../../registries/types.ts';
import { clientFor, tryStart } from '../support/registry.ts';
import { roundTrip } from '../support/roundtrip.ts';

const run = promisify(execFile);
const cases = LOCAL_REGISTRIES.flatMap((def) =>
  def.auths.map((auth) => [`${def.title} (${auth})`, def, auth] as const),
);

describe('container provider', () => {
  it.for(cases)('%s', async ([, def, auth], ctx) => {
    const { reg, skip } = await tryStart(() => startContainer(def, { auth: auth as AuthVariant }));
    if (!reg) return ctx.skip(skip ?? 'unavailable');
    try {
      expect(reg.provider).toBe('container');
      const { stdout } = await run('docker', [
        'inspect',
        '--format',
        '{{.Config.Image}} {{.HostConfig.NetworkMode}}',
        reg.containerId!,
      ]);
      expect(stdout.trim()).toBe(`${def.image.name} host`);
      const client = clientFor(reg, reg.caFile ? { caFile: reg.caFile } : {});
      try {
        await roundTrip(client, reg.host);
      } finally {
        await client.close();
      }
    } finally {
      await reg.stop();
    }
    await expect(run('docker', ['inspect', reg.containerId!])).rejects.toThrow();
    await expect(access(reg.dir!)).rejects.toThrow();
  });
});
