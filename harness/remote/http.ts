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
  deliver?(sink: (chunk: Buffer) => void): Promise<void>;
}

/** Every byte of a body to a synchronous sink: through `deliver` where the transport has it. */
export async function deliverBody(res: HttpResponse, sink: (chunk: Buffer) => void): Promise<void> {
  if (res.deliver) return res.deliver(sink);
  for await (const chunk of res.body) sink(chunk as Buffer);
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

/** Discard a body so the connection can be reused. */
export async function drain(res: HttpResponse): Promise<void> {
  try {
    for await (const _ of res.body) {
      // discard
    }
  } catch {
    // a broken body we are discarding does not matter
  }
}

/** Parse a Range header of an upload session: "0-<last>" (distribution-spec). */
export function parseUploadRange(value: string | undefined): { start: number; end: number } | undefined {
  if (!value) return undefined;
  const m = /^(?:bytes=)?(\d+)-(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) };
}
