// Our own timeouts, shaped like socket errors so classifyNetworkError (transport.ts)
// maps them to TIMEOUT.
export class TimeoutError extends Error {
  readonly code: string;
  constructor(code: 'OCICAT_HEADERS_TIMEOUT' | 'OCICAT_BODY_TIMEOUT', ms: number) {
    super(`${code === 'OCICAT_HEADERS_TIMEOUT' ? 'no response headers' : 'body stalled'} for ${ms} ms`);
    this.code = code;
  }
}

/** An abort, shaped like the AbortError of fetch and node:http. */
export function abortError(): Error {
  return Object.assign(new Error('the operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}
