// Harbor's own API (/api/v2.0), which takes Basic credentials, through ocicat's
// transport (the CA file, --insecure and the proxies of the registry's requests).
// The clean-up removes emptied repositories with it; the run reads Harbor's version.
import type { Credential } from '../harness/remote/auth/credential.ts';
import { type HttpResponse, readBody } from '../harness/remote/http.ts';
import { createTransport } from '../harness/remote/transport.ts';

export interface HarborTarget {
  registry: string;
  plainHttp: boolean;
  credential?: Credential;
  caFile?: string;
  insecure?: boolean;
}

/** One request to `/api/v2.0<path>`; `read` gets the answer before the transport closes. */
export async function harborApi<T>(
  o: HarborTarget,
  method: 'GET' | 'DELETE',
  path: string,
  read: (res: HttpResponse) => Promise<T>,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (o.credential?.username !== undefined && o.credential.password !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${o.credential.username}:${o.credential.password}`).toString('base64')}`;
  const transport = createTransport({
    ...(o.caFile ? { caFile: o.caFile } : {}),
    ...(o.insecure ? { insecure: true } : {}),
    socketReads: false,
  });
  try {
    const res = await transport.request({
      method,
      url: `${o.plainHttp ? 'http' : 'https'}://${o.registry}/api/v2.0${path}`,
      headers,
    });
    return await read(res);
  } finally {
    await transport.close();
  }
}

/**
 * Harbor's version: `harbor_version` of GET /api/v2.0/systeminfo, which only an
 * authenticated request gets (REGISTRY-FACTS 2026-12-01: e.g. "v2.15.2-080b0220";
 * /v2/ carries no version). Undefined when it does not say.
 */
export async function harborVersion(o: HarborTarget): Promise<string | undefined> {
  try {
    return await harborApi(o, 'GET', '/systeminfo', async (res) => {
      const body = (await readBody(res, 64 * 1024)).toString('utf8');
      if (res.status !== 200) return undefined;
      const v = (JSON.parse(body) as { harbor_version?: unknown }).harbor_version;
      return typeof v === 'string' && /^v?\d+\.\d+/.test(v) ? v.replace(/^v/, '') : undefined;
    });
  } catch {
    return undefined;
  }
}
