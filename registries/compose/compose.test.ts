// docker-compose.yml and the registries file that points at it agree with each
// other and with the harness: every service is a known registry image, bound to
// loopback, with a healthcheck; every port has an entry; the test login verifies
// against the htpasswd file. `docker-compose config` validates it when installed.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LOCAL_REGISTRIES } from '../definitions/index.ts';
import { parseRegistriesFile } from '../registries-file.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image: string; ports: string[]; healthcheck?: unknown; volumes?: string[] }>;
};
const entries = parseRegistriesFile(readFileSync(join(root, 'registries/compose/registries.yaml'), 'utf8'), {
  OCICAT_COMPOSE_PASSWORD: 'ocicat-compose-password',
});

describe('docker-compose.yml', () => {
  it('runs only known registry images, on loopback, with healthchecks', () => {
    const images = new Set(LOCAL_REGISTRIES.map((d) => d.image.name));
    for (const [name, s] of Object.entries(compose.services)) {
      expect(images.has(s.image), name).toBe(true);
      expect(s.ports[0], name).toMatch(/^127\.0\.0\.1:\d+:5000$/);
      expect(s.healthcheck, name).toBeDefined();
    }
  });

  it('has a registries file entry for every service port, with the login for htpasswd ones', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const port = s.ports[0]!.split(':')[1];
      const e = entries.find((x) => x.registry === `127.0.0.1:${port}`);
      expect(e?.name, name).toBe(`compose-${name}`);
      const htpasswd = name.endsWith('-htpasswd');
      expect(e?.credential !== undefined, name).toBe(htpasswd);
      if (htpasswd)
        expect(
          s.volumes?.some((v) => v.startsWith('./registries/compose/htpasswd:')),
          name,
        ).toBe(true);
    }
  });

  it('the test login verifies against the committed htpasswd (bcrypt)', async (ctx) => {
    const file = join(root, 'registries/compose/htpasswd');
    expect(readFileSync(file, 'utf8')).toMatch(/^ocicat:\$2y\$/);
    try {
      await run('htpasswd', ['-vb', file, 'ocicat', 'ocicat-compose-password']);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ctx.skip('htpasswd not installed');
      throw e;
    }
  });

  it('docker-compose accepts the file', async (ctx) => {
    try {
      await run('docker-compose', ['-f', join(root, 'docker-compose.yml'), 'config', '-q']);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        return ctx.skip('docker-compose not installed (npm run setup installs it)');
      throw e;
    }
  });
});
