// What every operation needs: the home, the cache, a registry client configured
// from the global options, and where progress goes.
import { CatalogCache } from '../catalog/cache.ts';
import { defaultCredentialStore } from '../remote/auth/default-store.ts';
import { RegistryClient } from '../remote/client.ts';
import type { RetryPolicy } from '../remote/retry.ts';
import { checkHome } from './home-check.ts';

export interface GlobalOptions {
  home: string;
  /** HTTP instead of HTTPS: for every registry, or for those the function names. */
  plainHttp?: boolean | ((registry: string) => boolean);
  caFile?: string;
  insecure?: boolean;
  /** Request log lines (already redacted). */
  log?: (line: string) => void;
  /** With log: each exchange's heads and the first KiB of bodies too. */
  evidence?: boolean;
  /** The client's backoff, where a caller needs another than the default (the fault features). */
  retry?: Partial<RetryPolicy>;
}

export type ProgressFn = (what: string, bytes: number, total: number) => void;

export interface OpsContext {
  home: string;
  options: GlobalOptions;
  cache: CatalogCache;
  client: RegistryClient;
  progress?: ProgressFn;
  /** Notes for the user ("pushed the fallback form", ...). */
  note: (line: string) => void;
}

export async function createContext(
  options: GlobalOptions,
  extra: { progress?: ProgressFn; note?: (line: string) => void; warn?: (line: string) => void } = {},
): Promise<OpsContext> {
  for (const w of checkHome(options.home)) extra.note?.(w);
  const client = new RegistryClient({
    credentials: defaultCredentialStore(options.home),
    ...(options.plainHttp ? { plainHttp: options.plainHttp } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.evidence ? { evidence: true } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    // a registry's Warning headers, once each (distribution-spec "Warnings")
    ...(extra.warn
      ? { onWarning: (registry: string, text: string) => extra.warn!(`${registry}: ${text}`) }
      : {}),
  });
  return {
    home: options.home,
    options,
    cache: await CatalogCache.open(options.home),
    client,
    ...(extra.progress ? { progress: extra.progress } : {}),
    note: extra.note ?? (() => {}),
  };
}
