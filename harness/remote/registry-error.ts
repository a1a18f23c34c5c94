import { type ErrorCode, OcicatError } from '../errors.ts';
import { type OciErrorEntry, parseOciErrorBody, summariseBody } from './oci-error-body.ts';
import { redactUrl } from './redact.ts';

/** A registry answered with a status we did not expect. */
export class RegistryError extends OcicatError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly errors: OciErrorEntry[];

  constructor(status: number, method: string, url: string, errors: OciErrorEntry[], bodySummary: string) {
    const first = errors[0];
    const what = first
      ? `${first.code}${first.message ? `: ${first.message}` : ''}`
      : bodySummary || 'no details';
    super(codeFor(status), `${method} ${redactUrl(url)}: ${status} ${what}`);
    this.name = 'RegistryError';
    this.status = status;
    this.method = method;
    this.url = redactUrl(url);
    this.errors = errors;
  }

  /** True when the registry named this OCI error code. */
  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

function codeFor(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'TOO_MANY_REQUESTS';
  return 'REGISTRY_ERROR';
}

export function registryErrorFrom(
  status: number,
  method: string,
  url: string,
  bodyText: string,
): RegistryError {
  return new RegistryError(status, method, url, parseOciErrorBody(bodyText), summariseBody(bodyText));
}

export function isRegistryError(e: unknown, status?: number): e is RegistryError {
  return e instanceof RegistryError && (status === undefined || e.status === status);
}
