// The request loop every Distribution API call goes through: scheme choice,
// authorization (one challenge round per request), retries with backoff and
// Retry-After, redirects without Authorization to other hosts, a per-host
// concurrency limit, and a redacted debug log.
import { OcicatError } from '../errors.ts';
import { Authorizer } from './auth/authorizer.ts';
import type { CredentialStore } from './auth/credential.ts';
import type { Scope } from './auth/scope.ts';
import { BlobWorkers, defaultBlobWorkers, type Reservation } from './blob-workers.ts';
import { type Capabilities, CapabilityCache } from './capabilities.ts';
import { drain, type HttpResponse, header, readErrorText } from './http.ts';
import { Limiter } from './limiter.ts';
import { clip, redactHeaders, redactUrl, scrub } from './redact.ts';
import { registryErrorFrom } from './registry-error.ts';
import type { BodyContent } from './request-body.ts';
import { DEFAULT_RETRY, isRetryableStatus, type RetryPolicy, retryDelay, sleep } from './retry.ts';
import {
  classifyNetworkError,
  createTransport,
  DEFAULT_BODY_TIMEOUT,
  DEFAULT_HEADERS_TIMEOUT,
  readCa,
  type Transport,
  type TransportOptions,
} from './transport.ts';
import { warningOnce } from './warnings.ts';
import { hasWriteListeners, recordWrite, writeOf } from './write-log.ts';

export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** A request body that can be opened again for a retry. */
export interface RequestBody {
  length: number;
  open(): BodyContent;
}

export function bufferBody(buf: Buffer | string): RequestBody {
  const b = typeof buf === 'string' ? Buffer.from(buf) : buf;
  return { length: b.length, open: () => b };
}

export interface RequestSpec {
  registry: string;
  method: Method;
  /** A path (with query) below the registry root, or an absolute URL (upload locations). */
  path: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  scopes: Scope[];
  /** Retry on network errors and retryable statuses (default true). */
  retry?: boolean;
  /** Follow redirects (default: GET and HEAD only). */
  redirect?: boolean;
  signal?: AbortSignal;
  /** A blob GET: the transport may read the body its fastest way (transport.ts). */
  bulk?: boolean;
  /**
   * Send the body with Transfer-Encoding: chunked and no Content-Length. ocicat's own
   * requests never do (ACR refuses it, REGISTRY-FACTS); the conformance check of a
   * registry's HTTP/1.1 framing does (features/chunked-body.ts).
   */
  chunked?: boolean;
}

export interface ClientOptions extends TransportOptions {
  credentials?: CredentialStore;
  /** HTTP instead of HTTPS; never automatic (DESIGN "CLI contract"). */
  plainHttp?: boolean | ((registry: string) => boolean);
  /** Another transport (the test double in harness/testing); the default is node:http. */
  transport?: Transport;
  /**
   * Worker threads for concurrent blob downloads (blob-workers.ts); the default
   * is one fewer than the cores, at most 3, and none with another transport.
   */
  blobWorkers?: number;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight per registry (oras-go and regclient use 3). */
  concurrency?: number;
  userAgent?: string;
  log?: (line: string) => void;
  /** Log each exchange's heads (redacted) and the first KiB of bodies too: a report's evidence. */
  evidence?: boolean;
  /** A registry's `Warning: 299` text, once each (warnings.ts); the CLI shows it. */
  onWarning?: (registry: string, text: string) => void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const isRefused = (e: unknown) => {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code === 'ECONNREFUSED' || err?.cause?.code === 'ECONNREFUSED';
};

/**
 * Where a registry may send the client (a redirect, an upload Location, a token
 * realm): http(s) only (the socket reader once followed ftp:// as HTTP), and never
 * from an https registry to plain http, where credentials or content would travel
 * in clear text (oras refuses an http realm for an https registry too; issue 18).
 */
export function checkScheme(url: string, registryBase: string, what = 'request'): void {
  const to = new URL(url).protocol;
  if (to !== 'http:' && to !== 'https:')
    throw new OcicatError('PROTOCOL', `refused ${what} to ${redactUrl(url)}: only http and https are spoken`);
  if (to === 'http:' && registryBase.startsWith('https:'))
    throw new OcicatError(
      'PROTOCOL',
      `refused ${what} to ${redactUrl(url)}: the registry is https, and ocicat does not leave TLS for plain http`,
      { hint: 'the registry (or its token service) must answer with https URLs' },
    );
}
/** Blobs from this size may go to a download worker (blob-workers.ts). */
export const OFFLOAD_MIN_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 10;
export const USER_AGENT = 'ocicat/0.1';

export class RegistryClient {
  readonly retry: RetryPolicy;
  readonly auth: Authorizer;
  private readonly transport: Transport;
  private readonly ownsTransport: boolean;
  private readonly options: ClientOptions;
  private readonly limiters = new Map<string, Limiter>();
  private readonly caps = new CapabilityCache();
  private readonly workers: BlobWorkers | undefined;
  /** Registries that have answered in this run: a refused connection there is a restart. */
  private readonly reached = new Set<string>();
  private readonly warnings: (registry: string, value: string | string[]) => void;
  /** Downloads of large blobs (OFFLOAD_MIN_BYTES) this thread is running itself. */
  private localReads = 0;

  constructor(options: ClientOptions = {}) {
    this.options = options;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    const onWarning = options.onWarning;
    this.warnings = onWarning
      ? warningOnce((registry, text) => onWarning(registry, scrub(text, this.auth.knownSecrets())))
      : () => {};
    this.ownsTransport = !options.transport;
    // read once, for the transport and the download workers
    const ca = !options.transport && options.caFile ? readCa(options.caFile) : undefined;
    this.transport = options.transport ?? createTransport(options, ca);
    const workers =
      options.transport || options.socketReads === false ? 0 : (options.blobWorkers ?? defaultBlobWorkers());
    this.workers =
      workers > 0
        ? new BlobWorkers(workers, {
            ...(ca ? { ca } : {}),
            insecure: options.insecure ?? false,
            headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT,
            bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT,
          })
        : undefined;
    this.auth = new Authorizer((url, init, registry) => {
      checkScheme(url, this.baseUrl(registry), 'the token request');
      return this.tokenRequest(url, init);
    }, options.credentials);
  }

  baseUrl(registry: string): string {
    const plain =
      typeof this.options.plainHttp === 'function'
        ? this.options.plainHttp(registry)
        : this.options.plainHttp;
    return `${plain ? 'http' : 'https'}://${registry}`;
  }

  capabilities(registry: string): Capabilities {
    return this.caps.get(registry);
  }

  log(line: string): void {
    if (this.options.log) this.options.log(scrub(line, this.auth.knownSecrets()));
  }

  /** The heads of an exchange, secrets redacted, and the first KiB of a request body held in memory. */
  private logHeads(headers: Record<string, string>, body: RequestBody | undefined, res: HttpResponse): void {
    const heads = (h: Record<string, unknown>, mark: string) =>
      Object.entries(redactHeaders(h))
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `  ${mark} ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
    const lines = heads(headers, '>');
    const sent = body && body.length <= 64 * 1024 ? body.open() : undefined;
    if (Buffer.isBuffer(sent))
      lines.push(`  > body: ${clip(sent.toString('utf8'), 1024, this.auth.knownSecrets())}`);
    lines.push(...heads(res.headers, '<'));
    this.log(lines.join('\n'));
  }

  private limiter(registry: string): Limiter {
    let l = this.limiters.get(registry);
    if (!l) {
      l = new Limiter(this.options.concurrency ?? 3);
      this.limiters.set(registry, l);
    }
    return l;
  }

  /**
   * Send a request and return the response whatever its status (after auth,
   * retries and redirects). The caller reads or drains the body.
   */
  async send(spec: RequestSpec): Promise<HttpResponse> {
    const base = this.baseUrl(spec.registry);
    const origin = new URL(base).origin;
    let url = new URL(spec.path, base).toString();
    let method: Method = spec.method;
    let body = spec.body;
    const follow = spec.redirect ?? (method === 'GET' || method === 'HEAD');
    const retry = spec.retry ?? true;
    let attempt = 0;
    let timeouts = 0;
    let challenged = false;
    let redirects = 0;
    for (;;) {
      checkScheme(url, base);
      const sameOrigin = new URL(url).origin === origin;
      // Never send registry credentials to another host (e.g. a blob redirect to object storage).
      const authorization = sameOrigin ? await this.auth.header(spec.registry, spec.scopes) : undefined;
      const headers: Record<string, string> = {
        'user-agent': this.options.userAgent ?? USER_AGENT,
        ...spec.headers,
      };
      if (authorization) headers.authorization = authorization;
      if (body && spec.chunked) headers['transfer-encoding'] = 'chunked';
      else if (body) headers['content-length'] = String(body.length);
      const release = await this.limiter(spec.registry).acquire();
      let res: HttpResponse;
      try {
        res = await this.dispatch(method, url, headers, body, spec.signal, spec.bulk);
      } catch (e) {
        release();
        const { error, retryable } = classifyNetworkError(e, `${method} ${redactUrl(url)}`);
        this.log(`${method} ${redactUrl(url)} -> ${error.code} ${error.message}`);
        // A registry that let a whole timeout pass once is asked once more, not five
        // times: 6 x 300 s of silence held a pull for 30 minutes (issue 18).
        const again = error.code === 'TIMEOUT' ? timeouts++ < 1 : true;
        const restarting = isRefused(e) && this.reached.has(spec.registry);
        if (retry && (retryable || restarting) && again && attempt < this.retry.maxRetries) {
          await sleep(retryDelay(this.retry, attempt++, undefined), spec.signal);
          continue;
        }
        throw error;
      }
      this.reached.add(spec.registry);
      res.body.once('close', release);
      res.body.once('end', release);
      this.log(`${method} ${redactUrl(url)} -> ${res.status}`);
      if (this.options.evidence) this.logHeads(headers, body, res);
      if (res.headers.warning !== undefined) this.warnings(spec.registry, res.headers.warning);

      if (res.status === 401 && sameOrigin && !challenged) {
        challenged = true;
        const www = header(res, 'www-authenticate');
        await drain(res);
        if (await this.auth.onUnauthorized(spec.registry, www, spec.scopes, authorization)) continue;
        throw await this.unauthorized(spec, url, method, www);
      }
      if (follow && REDIRECTS.has(res.status)) {
        const location = header(res, 'location');
        await drain(res);
        if (!location)
          throw new OcicatError('PROTOCOL', `${method} ${redactUrl(url)}: ${res.status} without Location`);
        if (++redirects > MAX_REDIRECTS)
          throw new OcicatError('PROTOCOL', `${method} ${redactUrl(url)}: too many redirects`);
        url = new URL(location, url).toString();
        if (res.status === 303) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      if ((res.status === 201 || res.status === 202) && hasWriteListeners()) {
        // only a manifest's body is hashed (small, in memory); a blob body is never opened again here
        const opened = method === 'PUT' && url.includes('/manifests/') ? body?.open() : undefined;
        const w = writeOf(
          spec.registry,
          method,
          url,
          res.status,
          header(res, 'docker-content-digest'),
          Buffer.isBuffer(opened) ? opened : undefined,
        );
        if (w) recordWrite(w);
      }
      if (retry && isRetryableStatus(res.status) && attempt < this.retry.maxRetries) {
        const delay = retryDelay(this.retry, attempt++, header(res, 'retry-after'));
        await drain(res);
        this.log(`retrying in ${delay} ms`);
        await sleep(delay, spec.signal);
        continue;
      }
      return res;
    }
  }

  /**
   * Download a blob to a new file: in a worker thread when this thread is
   * already reading a blob and a worker has less to do, else (or when the
   * worker's attempt fails, which is logged) by `readHere`, which applies every
   * client rule: auth challenges, redirects, retries. The choice is made at the
   * call, so downloads started together spread over the threads.
   */
  async downloadToFile(
    job: {
      registry: string;
      path: string;
      scopes: Scope[];
      file: string;
      digest: string;
      size: number;
      onProgress?: (bytes: number) => void;
      signal?: AbortSignal;
    },
    readHere: () => Promise<void>,
  ): Promise<void> {
    // Small blobs (a config, a catalog's layer) are quicker here than a worker's start.
    const large = job.size >= OFFLOAD_MIN_BYTES;
    const reserved = large ? this.workers?.reserve(this.localReads) : undefined;
    if (reserved && (await this.inWorker(reserved, job))) {
      job.onProgress?.(job.size);
      return;
    }
    if (large) this.localReads++;
    try {
      await readHere();
    } finally {
      if (large) this.localReads--;
    }
  }

  private async inWorker(
    reserved: Reservation,
    job: Parameters<RegistryClient['downloadToFile']>[0],
  ): Promise<boolean> {
    const workers = this.workers!;
    const url = new URL(job.path, this.baseUrl(job.registry)).toString();
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? USER_AGENT };
    let release: () => void;
    try {
      const authorization = await this.auth.header(job.registry, job.scopes);
      if (authorization) headers.authorization = authorization;
      release = await this.limiter(job.registry).acquire();
    } catch (e) {
      workers.cancel(reserved);
      throw e;
    }
    try {
      const reply = await workers.run(
        reserved,
        { url, headers, path: job.file, digest: job.digest, size: job.size },
        {
          ...(job.onProgress ? { onProgress: job.onProgress } : {}),
          ...(job.signal ? { signal: job.signal } : {}),
        },
      );
      this.log(
        `GET ${redactUrl(url)} -> ${reply.ok ? 'done' : `${reply.message}, reading it here`} (worker)`,
      );
      return reply.ok;
    } finally {
      release();
    }
  }

  /** Send, and turn any status outside `ok` into a RegistryError carrying the OCI error body. */
  async expect(spec: RequestSpec, ok: number[]): Promise<HttpResponse> {
    const res = await this.send(spec);
    if (ok.includes(res.status)) return res;
    throw await this.errorFrom(res);
  }

  async errorFrom(res: HttpResponse): Promise<OcicatError> {
    const text = res.method === 'HEAD' ? '' : await readErrorText(res);
    if (this.options.evidence && text) this.log(`  < body: ${clip(text, 1024, this.auth.knownSecrets())}`);
    if (res.status === 400 && /HTTP request to an HTTPS server/i.test(text))
      return new OcicatError('PROTOCOL', `${res.method} ${redactUrl(res.url)}: the registry speaks HTTPS`, {
        hint: 'leave out --plain-http',
      });
    const err = registryErrorFrom(res.status, res.method, res.url, scrub(text, this.auth.knownSecrets()));
    if (res.status === 401) {
      return new OcicatError('UNAUTHORIZED', err.message, {
        cause: err,
        hint: 'check the credentials (ocicat catalog login <host>)',
      });
    }
    return err;
  }

  // A 401 we have no better authorization for.
  private async unauthorized(
    spec: RequestSpec,
    url: string,
    method: Method,
    www: string | undefined,
  ): Promise<OcicatError> {
    const cred = await this.auth.credential(spec.registry);
    return new OcicatError(
      'UNAUTHORIZED',
      `${method} ${redactUrl(url)}: 401 ${cred ? 'credentials were refused' : 'authentication required'}`,
      {
        hint: cred
          ? `check the credentials for ${spec.registry}`
          : `log in first: ocicat catalog login ${spec.registry}`,
        cause: www ? new Error(`challenge: ${www.split(' ')[0]}`) : undefined,
      },
    );
  }

  private async dispatch(
    method: Method,
    url: string,
    headers: Record<string, string>,
    body: RequestBody | undefined,
    signal: AbortSignal | undefined,
    bulk = false,
  ): Promise<HttpResponse> {
    return this.transport.request({
      method,
      url,
      headers,
      ...(body ? { body: body.open() } : {}),
      ...(signal ? { signal } : {}),
      ...(bulk ? { bulk } : {}),
    });
  }

  // Token endpoints: no registry auth, retries on network errors and 5xx.
  private async tokenRequest(
    url: string,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  ): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.dispatch(
          init.method,
          url,
          { 'user-agent': this.options.userAgent ?? USER_AGENT, ...init.headers },
          init.body === undefined ? undefined : bufferBody(init.body),
          undefined,
        );
        this.log(`${init.method} ${redactUrl(url)} -> ${res.status} (token)`);
        const text = await readErrorText(res);
        if (isRetryableStatus(res.status) && attempt < this.retry.maxRetries) {
          await sleep(retryDelay(this.retry, attempt, header(res, 'retry-after')));
          continue;
        }
        return { status: res.status, text };
      } catch (e) {
        const { error, retryable } = classifyNetworkError(e, `token request to ${redactUrl(url)}`);
        if (!retryable || attempt >= this.retry.maxRetries) throw error;
        await sleep(retryDelay(this.retry, attempt, undefined));
      }
    }
  }

  async close(): Promise<void> {
    await this.workers?.close();
    if (this.ownsTransport) await this.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
