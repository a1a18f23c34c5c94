// Our own timeouts, shaped like socket errors so classifyNetworkError (transport.ts)
// maps them to TIMEOUT.
export type TimeoutCode = 'OCICAT_HEADERS_TIMEOUT' | 'OCICAT_BODY_TIMEOUT' | 'OCICAT_BODY_TOO_SLOW';

export class TimeoutError extends Error {
  readonly code: string;
  constructor(code: TimeoutCode, ms: number, bytes = 0) {
    super(
      code === 'OCICAT_HEADERS_TIMEOUT'
        ? `no response headers for ${ms} ms`
        : code === 'OCICAT_BODY_TIMEOUT'
          ? `body stalled for ${ms} ms`
          : `body too slow: ${bytes} bytes in ${ms} ms`,
    );
    this.code = code;
  }
}

/** An abort, shaped like the AbortError of fetch and node:http. */
export function abortError(): Error {
  return Object.assign(new Error('the operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}
