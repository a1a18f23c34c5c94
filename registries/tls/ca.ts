// A CA generated per run and a server certificate it signs for 127.0.0.1 and
// localhost, made with the openssl CLI. Nothing is reused between runs.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryUnavailable } from '../types.ts';

const run = promisify(execFile);

export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Run openssl; a machine without it gets RegistryUnavailable. */
export async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new RegistryUnavailable('openssl not installed');
    throw e;
  }
}

/** A self-signed certificate and its key (RSA 2048, two days). */
export function selfSigned(keyFile: string, certFile: string, cn: string): Promise<void> {
  return openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
  ]);
}

/** `names`: more DNS names the server certificate holds (a registry listening on a host name). */
export async function makeTls(dir: string, names: string[] = []): Promise<TlsFiles> {
  const f = (n: string) => join(dir, n);
  await selfSigned(f('ca.key'), f('ca.pem'), 'ocicat test CA');
  await openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(
    f('ext.cnf'),
    `subjectAltName=IP:127.0.0.1,DNS:localhost${names.map((n) => `,DNS:${n}`).join('')}\nbasicConstraints=CA:FALSE\n`,
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
  ]);
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') };
}
