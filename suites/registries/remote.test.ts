// The remote provider against a real registry reached only by configuration (a
// registries file and environment variables), as a vendor would point it at
// theirs: checks, a per-run namespace, clean-up, and no secret in any message.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteRepository } from '../../harness/remote/repository.ts';
import { startDistribution2 } from '../../registries/process/distribution2.ts';
import { RegistrySetupError, startRemote } from '../../registries/providers/remote.ts';
import { readRegistriesFile } from '../../registries/registries-file.ts';
import type { StartedRegistry } from '../../registries/types.ts';
import { clientFor, tryStart } from '../support/registry.ts';
import { roundTrip } from '../support/roundtrip.ts';

let backing: StartedRegistry | undefined;
let skip: string | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-remote-'));
  ({ reg: backing, skip } = await tryStart(() => startDistribution2({ auth: 'htpasswd' })));
});
afterAll(async () => {
  await backing?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function entries(yaml: string, env: NodeJS.ProcessEnv) {
  const file = join(dir, `r-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, yaml);
  return readRegistriesFile(file, env);
}

describe('remote provider', () => {
  it('pushes below a per-run namespace and cleans up after the run', async (ctx) => {
    if (!backing) return ctx.skip(skip ?? 'no registry');
    const env = { VENDOR_USER: backing.login!.username, VENDOR_PASSWORD: backing.login!.password };
    const [entry] = await entries(
      `registries:\n  - name: vendor\n    url: http://${backing.host}\n    namespace: conformance/ocicat\n    usernameEnv: VENDOR_USER\n    passwordEnv: VENDOR_PASSWORD\n`,
      env,
    );
    const reg = await startRemote(entry!);
    expect(reg.provider).toBe('remote');
    expect(reg.namespace).toMatch(/^conformance\/ocicat\/run-\d{14}-[0-9a-f]{6}$/);
    const repository = `${reg.namespace}/app`;
    reg.track!(repository);
    const client = clientFor(reg);
    await roundTrip(client, reg.host, repository);
    const repo = new RemoteRepository(client, { registry: reg.host, repository });
    expect(await repo.headManifest('v1')).toBeDefined();
    const report = await reg.cleanup();
    // the manifest, its empty config and its two layers: all written through a client in this process
    expect(report.deleted).toHaveLength(4);
    expect(report.refused).toEqual([]);
    expect(report.left).toEqual([]);
    expect(await repo.headManifest('v1')).toBeUndefined();
    await client.close();
    await reg.stop();
  });

  it('names the entry when the credentials are refused, and prints no secret', async (ctx) => {
    if (!backing) return ctx.skip(skip ?? 'no registry');
    const env = { VENDOR_USER: backing.login!.username, VENDOR_PASSWORD: 'definitely-wrong-s3cret' };
    const [entry] = await entries(
      `registries:\n  - name: vendor\n    url: http://${backing.host}\n    usernameEnv: VENDOR_USER\n    passwordEnv: VENDOR_PASSWORD\n`,
      env,
    );
    const err = await startRemote(entry!).catch((e) => e);
    expect(err).toBeInstanceOf(RegistrySetupError);
    expect(err.message).toMatch(/^registry entry "vendor" \(127\.0\.0\.1:\d+\): credentials refused/);
    expect(err.hint).toBe('check VENDOR_PASSWORD (and the user name)');
    expect(err.message + err.hint).not.toContain('definitely-wrong-s3cret');
  });

  it('names the entry when the registry is unreachable', async () => {
    const [entry] = await entries('registries:\n  - name: gone\n    url: http://127.0.0.1:9\n', {});
    const err = await startRemote(entry!).catch((e) => e);
    expect(err).toBeInstanceOf(RegistrySetupError);
    expect(err.message).toMatch(
      /^registry entry "gone" \(127\.0\.0\.1:9\): cannot be reached: .*ECONNREFUSED/,
    );
  });
});
