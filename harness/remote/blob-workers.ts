// Worker threads for concurrent blob downloads. Hashing and writing a blob take
// one thread's CPU; Go clients spread concurrent blobs over every core, and on a
// many-layer pull a single Node thread was the limit (100 layers, 1 GiB: the main
// thread busy 1.5 s of 2.2 s, reports/bench). While the calling thread is already
// reading a blob, further ones go to the least loaded worker (blob-worker.ts).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BlobJob, BlobReply, BlobWorkerInit } from './blob-worker.ts';

/** Workers for a machine: one fewer than its cores, at most 3. */
export function defaultBlobWorkers(): number {
  return Math.max(0, Math.min(3, availableParallelism() - 1));
}

// From source the worker is the .ts module beside this one; in a bundle
// (scripts/build.ts) it is dist/blob-worker.mjs beside the bundle.
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./blob-worker.ts', import.meta.url)
    : new URL('./blob-worker.mjs', import.meta.url);
}

interface Slot {
  worker: Worker;
  load: number;
}

/** A job place taken in a worker (BlobWorkers.reserve). */
export interface Reservation {
  readonly slot: Slot;
}

interface Pending {
  resolve: (reply: { ok: true } | { ok: false; message: string }) => void;
  onProgress?: (bytes: number) => void;
  slot: Slot;
}

export class BlobWorkers {
  private readonly count: number;
  private readonly init: BlobWorkerInit;
  private slots: Slot[] | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private broken = false;

  constructor(count: number, init: BlobWorkerInit) {
    this.count = count;
    this.init = init;
  }

  /**
   * Reserve the least loaded worker if it has fewer jobs than `busy` (the calling
   * thread's own downloads), else undefined: the caller reads the blob itself.
   * Synchronous, so that downloads started together spread out.
   */
  reserve(busy: number): Reservation | undefined {
    if (this.count === 0 || this.broken || busy === 0) return undefined;
    const slots = this.start();
    if (slots.length === 0) return undefined;
    const slot = slots.reduce((a, b) => (b.load < a.load ? b : a));
    if (slot.load >= busy) return undefined;
    if (slot.load++ === 0) slot.worker.ref();
    return { slot };
  }

  /** Download in the reserved worker. Never throws: a failure comes back as `ok: false`. */
  run(
    reservation: Reservation,
    job: Omit<BlobJob, 'id'>,
    options: { onProgress?: (bytes: number) => void; signal?: AbortSignal } = {},
  ): Promise<{ ok: true } | { ok: false; message: string }> {
    const { slot } = reservation;
    const id = this.nextId++;
    if (!this.slots?.includes(slot)) return Promise.resolve({ ok: false, message: 'worker gone' });
    return new Promise((resolve) => {
      const cancel = () => slot.worker.postMessage({ cancel: id });
      options.signal?.addEventListener('abort', cancel, { once: true });
      this.pending.set(id, {
        slot,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        resolve: (reply) => {
          options.signal?.removeEventListener('abort', cancel);
          resolve(reply);
        },
      });
      slot.worker.postMessage({ ...job, id } satisfies BlobJob);
    });
  }

  /** Give back a reservation that was not run. */
  cancel(reservation: Reservation): void {
    this.done(reservation.slot);
  }

  async close(): Promise<void> {
    const slots = this.slots ?? [];
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private start(): Slot[] {
    if (this.slots) return this.slots;
    this.slots = [];
    for (let k = 0; k < this.count; k++) {
      let worker: Worker;
      try {
        worker = new Worker(workerUrl(), { workerData: this.init });
      } catch {
        this.broken = true;
        break;
      }
      const slot: Slot = { worker, load: 0 };
      worker.unref(); // an idle worker does not keep the process alive
      worker.on('message', (reply: BlobReply) => this.onReply(reply));
      // a worker that dies fails its jobs back to the calling thread, and takes no more
      worker.on('error', (e) => this.lost(slot, e.message));
      worker.on('exit', () => this.lost(slot, 'worker exited'));
      this.slots.push(slot);
    }
    return this.slots;
  }

  private onReply(reply: BlobReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if ('progress' in reply) {
      p.onProgress?.(reply.progress);
      return;
    }
    this.pending.delete(reply.id);
    this.done(p.slot);
    p.resolve(reply.ok ? { ok: true } : { ok: false, message: reply.message });
  }

  private done(slot: Slot): void {
    if (--slot.load === 0) slot.worker.unref();
  }

  private lost(slot: Slot, message: string): void {
    this.slots = (this.slots ?? []).filter((s) => s !== slot);
    if (this.slots.length === 0) this.broken = true;
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.resolve({ ok: false, message });
    }
  }
}
