// Typed errors with stable codes (in the spirit of undici's error classes).
// `code` is stable and may be matched by tests and reports; `message` is one
// clear line for a person; `hint` is an optional second line; `cause` chains.

export type ErrorCode =
  // input: the user or the caller gave something malformed (CLI exit 2)
  | 'INVALID_REFERENCE'
  | 'INVALID_DIGEST'
  | 'INVALID_ARGUMENT'
  | 'INVALID_CREDENTIALS_FILE'
  | 'INVALID_CATALOG'
  | 'INVALID_VERSION'
  | 'TAG_MISMATCH'
  | 'NOT_CACHED'
  | 'TARGET_EXISTS'
  | 'USAGE'
  // failures: the world did not cooperate (CLI exit 1); what a registry sends
  // (a malformed manifest or challenge, a manifest too large) is the registry's
  // fault, never the user's input (issue 18)
  | 'INVALID_MANIFEST'
  | 'INVALID_CHALLENGE'
  | 'MANIFEST_TOO_LARGE'
  | 'REGISTRY_ERROR'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'NOT_FOUND'
  | 'TOO_MANY_REQUESTS'
  | 'NETWORK'
  | 'TLS'
  | 'PROXY'
  | 'TIMEOUT'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'UPLOAD_FAILED'
  | 'PROTOCOL'
  | 'CREDENTIAL_HELPER'
  | 'LOCK_TIMEOUT'
  | 'UNSAFE_ARCHIVE'
  | 'NOT_A_CATALOG'
  | 'ABORTED';

const INPUT_CODES = new Set<ErrorCode>([
  'INVALID_REFERENCE',
  'INVALID_DIGEST',
  'INVALID_ARGUMENT',
  'INVALID_CREDENTIALS_FILE',
  'INVALID_CATALOG',
  'INVALID_VERSION',
  'TAG_MISMATCH',
  'NOT_CACHED',
  'TARGET_EXISTS',
  'USAGE',
]);

export interface OcicatErrorOptions {
  cause?: unknown;
  hint?: string;
}

export class OcicatError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: OcicatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OcicatError';
    this.code = code;
    this.hint = options.hint;
  }

  /** True when the error is the caller's input (CLI exit code 2). */
  get isInput(): boolean {
    return INPUT_CODES.has(this.code);
  }
}

export function isOcicatError(e: unknown, code?: ErrorCode): e is OcicatError {
  return e instanceof OcicatError && (code === undefined || e.code === code);
}
