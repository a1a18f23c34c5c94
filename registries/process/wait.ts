import { request } from 'undici';

/** Wait until GET /v2/ answers 200 or 401 (the registry is serving). */
export async function waitForV2(
  url: string,
  timeoutMs: number,
  isAlive: () => boolean,
  dispatcher?: import('undici').Dispatcher,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`registry exited before serving ${url}`);
    try {
      const res = await request(`${url}/v2/`, { method: 'GET', ...(dispatcher ? { dispatcher } : {}) });
      await res.body.dump();
      if (res.statusCode === 200 || res.statusCode === 401) return;
      last = `status ${res.statusCode}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`registry at ${url} did not answer /v2/ within ${timeoutMs} ms (${last})`);
}
