// HTTP responses as the client sees them, and small helpers over them.
import type { Readable } from 'node:stream';
import { OcicatError } from '../errors.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** The final URL (after redirects). */
  url: string;
  method: string;
  /**
   * Hand the body to `sink` instead of reading `body`: every byte, in order, as
   * views valid only during the call (socket-get.ts avoids a copy that way).
   * Resolves when the body has ended; rejects if it fails or `sink` throws.
   */
  deliver?(sink: BodySink): Promise<void>;
}

/**
 * Takes body bytes as views valid only during the call. A returned promise asks
 * for a pause: no more bytes are read from the network until it settles (bytes
 * already read may still come); a rejection fails the body.
 */
export type BodySink = (chunk: Buffer) => void | Promise<void>;

/** Every byte of a body to a sink: through `deliver` where the transport has it. */
export async function deliverBody(res: HttpResponse, sink: BodySink): Promise<void> {
  if (res.deliver) return res.deliver(sink);
  for await (const chunk of res.body) {
    const wait = sink(chunk as Buffer);
    if (wait instanceof Promise) await wait;
  }
}

export function header(res: { headers: HttpResponse['headers'] }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Read a whole body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit: number): Promise<Buffer> {
  const declared = Number(header(res, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw new OcicatError('PROTOCOL', `${res.method} ${res.url}: body of ${declared} bytes exceeds ${limit}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      res.body.destroy();
      throw new OcicatError('PROTOCOL', `${res.method} ${res.url}: body exceeds ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Read up to 64 KiB of a body as text for an error message; never throws. */
export async function readErrorText(res: HttpResponse): Promise<string> {
  try {
    return (await readBody(res, 64 * 1024)).toString('utf8');
  } catch {
    return '';
  }
}

/** The most of a discarded body that is read; past it the connection is closed instead. */
export const DISCARD_LIMIT = 64 * 1024;

/**
 * Discard a body so the connection can be reused: at most DISCARD_LIMIT bytes are
 * read, then the body (and its connection) is destroyed. A hostile registry's
 * endless 401, 3xx or 5xx body once kept a pull reading 33-50 GB a minute (issue 18);
 * oras and crane stop within a second.
 */
export async function drain(res: HttpResponse): Promise<void> {
  const declared = Number(header(res, 'content-length'));
  if (Number.isFinite(declared) && declared > DISCARD_LIMIT) {
    res.body.destroy();
    return;
  }
  let read = 0;
  try {
    for await (const chunk of res.body) {
      read += (chunk as Buffer).length;
      if (read > DISCARD_LIMIT) break; // leaving the loop destroys the body
    }
  } catch {
    // a broken body we are discarding does not matter
  }
  if (read > DISCARD_LIMIT) res.body.destroy();
}

/** Parse a Range header of an upload session: "0-<last>" (distribution-spec). */
export function parseUploadRange(value: string | undefined): { start: number; end: number } | undefined {
  if (!value) return undefined;
  const m = /^(?:bytes=)?(\d+)-(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) };
}
