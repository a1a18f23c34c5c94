// One request to the registry under test as it is: no retry to hide what it
// answered the first time (auth challenges are still answered), for the checks
// that judge a registry by its raw answers (spec-depth.ts, manifest-shapes.ts).
import type { Scope } from '../../../harness/remote/auth/scope.ts';
import { bufferBody, type Method } from '../../../harness/remote/client.ts';
import type { FeatureContext } from '../feature.ts';

export function raw(
  ctx: FeatureContext,
  method: Method,
  path: string,
  scopes: Scope[],
  options: { headers?: Record<string, string>; body?: Buffer; chunked?: boolean } = {},
) {
  return ctx.client.send({
    registry: ctx.target.host,
    method,
    path,
    scopes,
    retry: false,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body ? { body: bufferBody(options.body) } : {}),
    ...(options.chunked ? { chunked: true } : {}),
  });
}
