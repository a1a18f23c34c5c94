// Local images for the container provider. No image can be pulled on these
// machines, so each is built from the installed binary: a rootfs tar holding the
// binary and the shared libraries ldd names, loaded with `docker import` under
// the official image's name (registry:2, registry:3, ...). A label records the
// binary's hash so a rebuilt binary gets a rebuilt image.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { RegistryDefinition } from '../definition.ts';
import { RegistryUnavailable } from '../types.ts';

const run = promisify(execFile);
export const LABEL = 'dev.ocicat.binary-sha256';

export async function dockerAvailable(): Promise<string | undefined> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
    return undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') return 'docker is not installed (npm run setup installs docker.io)';
    return `no Docker engine answers (${(err.stderr ?? err.message).trim().split('\n')[0]}); npm run setup starts dockerd`;
  }
}

async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

async function libraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]).catch((e: { stdout?: string }) => ({
    stdout: e.stdout ?? '',
  }));
  if (/not a dynamic executable/.test(stdout)) return [];
  return [...stdout.matchAll(/(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
}

/** The label of an image, or undefined when the image is missing. */
export async function imageLabel(image: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('docker', [
      'image',
      'inspect',
      '--format',
      `{{ index .Config.Labels "${LABEL}" }}`,
      image,
    ]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** Build the image for a definition from its binary unless an up-to-date one exists. */
export async function ensureImage(def: RegistryDefinition): Promise<'built' | 'present'> {
  const binary = await def.binary();
  const hash = await sha256File(binary);
  if ((await imageLabel(def.image.name)) === hash) return 'present';
  const root = await mkdtemp(join(tmpdir(), `ocicat-rootfs-${def.name}-`));
  try {
    const inImage = `/usr/local/bin/${def.name}`;
    for (const file of [...(await libraries(binary)), binary]) {
      const target = join(root, file === binary ? inImage : file);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
    }
    await mkdir(join(root, 'tmp'), { recursive: true, mode: 0o1777 });
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\n');
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const imp = spawn(
        'docker',
        [
          'import',
          '--change',
          `ENTRYPOINT ["${inImage}"]`,
          '--change',
          `LABEL ${LABEL}=${hash}`,
          '-',
          def.image.name,
        ],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      let err = '';
      imp.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      tar.stdout.pipe(imp.stdin);
      imp.on('close', (code) =>
        code === 0
          ? resolve()
          : reject(new RegistryUnavailable(`docker import of ${def.image.name} failed: ${err.trim()}`)),
      );
    });
    return 'built';
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
