// Docker credential helpers (docker-credential-<name> get): the host on stdin,
// {"Username","Secret"} on stdout. Username "<token>" means Secret is an identity
// token (docker/docker-credential-helpers, "client" package).
import { spawn } from 'node:child_process';
import { OcicatError } from '../../errors.ts';
import type { Credential } from './credential.ts';

const TIMEOUT_MS = 15_000;

export async function runCredentialHelper(helper: string, registry: string): Promise<Credential | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    throw new OcicatError('CREDENTIAL_HELPER', `credential helper name "${helper}" is not valid`);
  }
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') resolve({ code: -1, stdout: '', stderr: 'not installed' });
        else reject(new OcicatError('CREDENTIAL_HELPER', `${program} failed: ${e.message}`, { cause: e }));
      });
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
      child.stdin.end(registry);
    },
  );
  if (code === -1) return undefined; // helper named in config but not installed: fall through like docker does
  if (code !== 0) {
    if (/credentials not found/i.test(stdout + stderr)) return undefined;
    throw new OcicatError('CREDENTIAL_HELPER', `${program} get exited with ${code}`);
  }
  let doc: { Username?: string; Secret?: string };
  try {
    doc = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch {
    throw new OcicatError('CREDENTIAL_HELPER', `${program} printed something that is not JSON`);
  }
  if (!doc.Secret) return undefined;
  if (doc.Username === '<token>') return { identityToken: doc.Secret };
  return { username: doc.Username ?? '', password: doc.Secret };
}
