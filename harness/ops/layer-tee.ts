// A promote of a catalog this machine has not pulled (issue 28): the layer is
// read from the source once, by the pull's one pass (layer-pass.ts: verified,
// vetted, written to the cache file), and the upload to the destination reads
// the cache file as it grows, so that pull and push overlap instead of following
// each other. The upload never gets the layer's last bytes before the pull has
// verified the digest and vetted the tar: a source blob whose bytes do not match
// its digest stops the upload before it completes, so the destination never
// stores it; a failed pull fails the upload.
import { type FileHandle, open } from 'node:fs/promises';
import type { BlobSource } from '../remote/blob-source.ts';

/** What a pull tells the tee, and the source the upload reads. */
export class LayerTee {
  readonly size: number;
  private path: string | undefined;
  private written = 0;
  private state: 'running' | 'verified' | 'failed' = 'running';
  private error: unknown;
  private waiters: Array<() => void> = [];

  constructor(size: number) {
    this.size = size;
  }

  /** Read afresh each time: it changes while the upload waits. */
  private status(): 'running' | 'verified' | 'failed' {
    return this.state;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private changed(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  /**
   * The pull writes the layer here (its temp file; an open file survives the rename),
   * and says again where it is once it is in place (a later open reads it there).
   */
  started(path: string): void {
    this.path = path;
    this.wake();
  }

  /** The file holds the first `bytes` bytes. */
  wrote(bytes: number): void {
    this.written = bytes;
    this.wake();
  }

  /** Digest checked and tar vetted: the last bytes may go. */
  verified(): void {
    this.state = 'verified';
    this.wake();
  }

  failed(e: unknown): void {
    if (this.state === 'running') {
      this.state = 'failed';
      this.error = e;
    }
    this.wake();
  }

  /** The layer as it lands in the cache file, for the upload. */
  source(): BlobSource {
    return { size: this.size, open: (start, end) => this.read(start, end) };
  }

  private async *read(start: number, end: number): AsyncGenerator<Buffer> {
    while (this.path === undefined && this.status() === 'running') await this.changed();
    if (this.status() === 'failed') throw this.error;
    let fh: FileHandle | undefined;
    try {
      fh = await open(this.path!, 'r');
      let pos = start;
      while (pos < end) {
        // all but the end once written; the end once verified
        const limit = this.status() === 'verified' ? end : Math.min(end, this.written, this.size - 1);
        if (this.status() === 'failed') throw this.error;
        if (limit <= pos) {
          await this.changed();
          continue;
        }
        const n = Math.min(limit - pos, 1024 * 1024);
        const buf = Buffer.allocUnsafe(n);
        const { bytesRead } = await fh.read(buf, 0, n, pos);
        if (bytesRead === 0) {
          await this.changed();
          continue;
        }
        pos += bytesRead;
        yield bytesRead === n ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      await fh?.close();
    }
  }
}
