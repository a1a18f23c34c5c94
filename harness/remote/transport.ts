// The undici dispatcher for registry traffic. TLS: the system CAs plus an
// optional CA file; verification off only when asked (--insecure).
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { OcicatError } from '../errors.ts';

export interface TransportOptions {
  caFile?: string;
  insecure?: boolean;
  /** Connections per origin (undici pools per origin). */
  connections?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

export function createDispatcher(options: TransportOptions = {}): Dispatcher {
  let ca: string[] | undefined;
  if (options.caFile) {
    let pem: string;
    try {
      pem = readFileSync(options.caFile, 'utf8');
    } catch (e) {
      throw new OcicatError(
        'INVALID_ARGUMENT',
        `cannot read CA file ${options.caFile}: ${(e as Error).message}`,
      );
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new OcicatError('INVALID_ARGUMENT', `CA file ${options.caFile} holds no PEM certificate`);
    }
    ca = [...rootCertificates, pem];
  }
  return new Agent({
    connections: options.connections ?? 16,
    headersTimeout: options.headersTimeoutMs ?? 300_000,
    bodyTimeout: options.bodyTimeoutMs ?? 120_000,
    keepAliveTimeout: 30_000,
    connect: {
      ...(ca ? { ca } : {}),
      rejectUnauthorized: !options.insecure,
    },
  });
}

const TLS_CODES =
  /^(CERT_|ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Map a low-level failure to a typed error. Returns the error and whether a retry may help. */
export function classifyNetworkError(e: unknown, what: string): { error: OcicatError; retryable: boolean } {
  if (e instanceof OcicatError) return { error: e, retryable: e.code === 'NETWORK' || e.code === 'TIMEOUT' };
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code ?? '';
  const message = err?.cause?.message ?? err?.message ?? String(e);
  if (err?.name === 'AbortError' || code === 'ABORT_ERR') {
    return { error: new OcicatError('ABORTED', `${what}: aborted`, { cause: e }), retryable: false };
  }
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(message)) {
    return {
      error: new OcicatError('TLS', `${what}: TLS failed (${code || message})`, {
        cause: e,
        hint: 'pass --ca-file with the registry CA, --insecure to skip verification, or --plain-http for HTTP',
      }),
      retryable: false,
    };
  }
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return {
      error: new OcicatError('TIMEOUT', `${what}: timed out (${code})`, { cause: e }),
      retryable: true,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      error: new OcicatError('NETWORK', `${what}: host not found`, { cause: e }),
      retryable: code === 'EAI_AGAIN',
    };
  }
  return {
    error: new OcicatError('NETWORK', `${what}: ${code ? `${code} ` : ''}${message}`.trim(), { cause: e }),
    retryable: true,
  };
}
