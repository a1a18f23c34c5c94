// distribution 2.8 as a process: kept as a shorthand for the suites that need
// one registry; the TLS option maps to the tls auth variant.
import { distribution2 } from '../definitions/distribution2.ts';
import { startProcess } from '../providers/process.ts';
import type { AuthVariant, Login, StartedRegistry } from '../types.ts';

export { DISTRIBUTION2_BINARY } from '../definitions/distribution2.ts';

export interface StartOptions {
  auth?: Extract<AuthVariant, 'anonymous' | 'htpasswd' | 'token'>;
  login?: Login;
  /** Serve HTTPS with a certificate from a CA generated for this run. */
  tls?: boolean;
  listen?: { name: string; address: string };
}

export function startDistribution2(options: StartOptions = {}): Promise<StartedRegistry> {
  return startProcess(distribution2, {
    auth: options.tls ? 'tls' : (options.auth ?? 'anonymous'),
    ...(options.login ? { login: options.login } : {}),
    ...(options.listen ? { listen: options.listen } : {}),
  });
}
