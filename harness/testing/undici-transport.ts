// A Transport over an undici Dispatcher, so that the client can be driven by
// undici's MockAgent (mock-registry.ts). Test-only: the client's own transport is
// node:http (remote/transport.ts), which the suites exercise against real registries.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { HttpResponse } from '../remote/http.ts';
import { isFileRange } from '../remote/request-body.ts';
import type { Transport, TransportRequest } from '../remote/transport.ts';

export function undiciTransport(dispatcher: Dispatcher): Transport {
  return {
    async request(req: TransportRequest): Promise<HttpResponse> {
      const u = new URL(req.url);
      const body = req.body;
      const res = await dispatcher.request({
        origin: u.origin,
        path: u.pathname + u.search,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body:
          body === undefined
            ? null
            : isFileRange(body)
              ? createReadStream(body.file, { start: body.start, end: body.end - 1 })
              : Buffer.isBuffer(body)
                ? body
                : Readable.from(body, { objectMode: false }),
        ...(req.signal ? { signal: req.signal } : {}),
      });
      return {
        status: res.statusCode,
        headers: res.headers as HttpResponse['headers'],
        body: res.body as unknown as Readable,
        url: req.url,
        method: req.method,
      };
    },
    close: () => dispatcher.close(),
  };
}
