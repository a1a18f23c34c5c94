// A worker thread that downloads blobs to files: one GET on its own socket
// (socket-get.ts), the digest checked as the bytes pass, the bytes written as
// they arrive. Its jobs come from blob-workers.ts, with the URL and the headers
// (authorization included) the client prepared. Anything but a 200 at the first
// answer, and any failure, goes back to the client, which then reads the
// blob itself with its full rules (auth challenges, redirects, retries, resume).
import { rm } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Verifier } from '../oci/digest.ts';
import { writeDelivered } from '../util/file-sink.ts';
import { drain } from './http.ts';
import { SocketGet, type SocketGetOptions } from './socket-get.ts';

export interface BlobJob {
  id: number;
  url: string;
  headers: Record<string, string>;
  /** A new file to write (it must not exist). */
  path: string;
  digest: string;
  size: number;
}

export type BlobReply =
  | { id: number; progress: number }
  | { id: number; ok: true }
  | { id: number; ok: false; message: string };

export type BlobWorkerInit = Omit<SocketGetOptions, 'maxIdle'>;

/** Report progress every this many bytes. */
const PROGRESS_EVERY = 8 * 1024 * 1024;

async function run(job: BlobJob, get: SocketGet, signal: AbortSignal): Promise<void> {
  const res = await get.request({ url: job.url, headers: job.headers, signal });
  if (res.status !== 200) {
    await drain(res);
    throw new Error(`status ${res.status}`);
  }
  const verifier = new Verifier({ digest: job.digest, size: job.size });
  let reported = 0;
  await writeDelivered(
    job.path,
    (sink) => res.deliver!(sink),
    (chunk) => {
      verifier.update(chunk);
      if (verifier.bytes - reported >= PROGRESS_EVERY) {
        reported = verifier.bytes;
        parentPort!.postMessage({ id: job.id, progress: reported } satisfies BlobReply);
      }
    },
  );
  verifier.finish();
}

if (parentPort) {
  const port = parentPort;
  const get = new SocketGet({ ...(workerData as BlobWorkerInit), maxIdle: 4 });
  const running = new Map<number, AbortController>();
  port.on('message', (msg: BlobJob | { cancel: number }) => {
    if ('cancel' in msg) {
      running.get(msg.cancel)?.abort();
      return;
    }
    const ac = new AbortController();
    running.set(msg.id, ac);
    run(msg, get, ac.signal).then(
      () => {
        running.delete(msg.id);
        port.postMessage({ id: msg.id, ok: true } satisfies BlobReply);
      },
      async (e: unknown) => {
        running.delete(msg.id);
        // the client starts the file again from nothing
        await rm(msg.path, { force: true }).catch(() => undefined);
        port.postMessage({
          id: msg.id,
          ok: false,
          message: (e as Error)?.message ?? String(e),
        } satisfies BlobReply);
      },
    );
  });
}
