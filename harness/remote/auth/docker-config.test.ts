import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOcicatError } from '../../errors.ts';
import { defaultCredentialStore } from './default-store.ts';
import { DockerConfigStore } from './docker-config.ts';

let dir: string;
const oldPath = process.env.PATH;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-creds-'));
});
afterEach(async () => {
  process.env.PATH = oldPath;
  await rm(dir, { recursive: true, force: true });
});

describe('credentials in config.json format', () => {
  it('writes 0600 via temp + rename and reads it back; logout removes it', async () => {
    const store = new DockerConfigStore(join(dir, 'home', 'credentials.json'));
    await store.put('reg.test:5000', { username: 'alice', password: 'pw:with:colons' });
    const st = await stat(join(dir, 'home', 'credentials.json'));
    expect(st.mode & 0o777).toBe(0o600);
    const doc = JSON.parse(await readFile(join(dir, 'home', 'credentials.json'), 'utf8'));
    expect(doc.auths['reg.test:5000'].auth).toBe(Buffer.from('alice:pw:with:colons').toString('base64'));
    expect(await store.get('reg.test:5000')).toEqual({ username: 'alice', password: 'pw:with:colons' });
    expect(await store.remove('reg.test:5000')).toBe(true);
    expect(await store.get('reg.test:5000')).toBeUndefined();
    expect(await store.remove('reg.test:5000')).toBe(false);
  });

  it('keeps the rest of an existing config and reads Docker Hub under its legacy key', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({ auths: { 'https://index.docker.io/v1/': { identitytoken: 'idt' } }, other: 1 }),
    );
    const store = new DockerConfigStore(path);
    expect(await store.get('docker.io')).toEqual({ identityToken: 'idt' });
    await store.put('ghcr.io', { username: 'u', password: 'p' });
    expect(JSON.parse(await readFile(path, 'utf8')).other).toBe(1);
  });

  it('names the file, not the secret, when it is malformed', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"auths": {"h": {"auth": "c2VjcmV0"}}'); // truncated JSON
    const err = await new DockerConfigStore(path).get('h').catch((e) => e);
    expect(isOcicatError(err, 'INVALID_CREDENTIALS_FILE')).toBe(true);
    expect(err.message).toContain(path);
    await writeFile(
      path,
      JSON.stringify({ auths: { h: { auth: Buffer.from('no-colon').toString('base64') } } }),
    );
    const err2 = await new DockerConfigStore(path).get('h').catch((e) => e);
    expect(err2.message).not.toContain('no-colon');
  });

  it("asks a docker credential helper, and falls back to ocicat's file first", async () => {
    const bin = join(dir, 'bin');
    await (await import('node:fs/promises')).mkdir(bin);
    const helper = join(bin, 'docker-credential-fake');
    await writeFile(
      helper,
      '#!/bin/sh\nread host\nif [ "$host" = "helped.test" ]; then echo \'{"Username":"<token>","Secret":"from-helper"}\'; else echo "credentials not found in native keychain"; exit 1; fi\n',
    );
    await chmod(helper, 0o755);
    process.env.PATH = `${bin}:${oldPath}`;
    const dockerDir = join(dir, 'docker');
    await (await import('node:fs/promises')).mkdir(dockerDir);
    await writeFile(join(dockerDir, 'config.json'), JSON.stringify({ credsStore: 'fake', auths: {} }));
    const home = join(dir, 'home');
    const store = defaultCredentialStore(home, { DOCKER_CONFIG: dockerDir });
    expect(await store.get('helped.test')).toEqual({ identityToken: 'from-helper' });
    expect(await store.get('other.test')).toBeUndefined();
    await new DockerConfigStore(join(home, 'credentials.json')).put('helped.test', {
      username: 'mine',
      password: 'x',
    });
    expect(await store.get('helped.test')).toEqual({ username: 'mine', password: 'x' });
  });
});
