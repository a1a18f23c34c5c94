// Large I/O buffers kept for reuse. Allocating a multi-MiB buffer per blob means
// fresh pages from the kernel every time (page faults, then unmapping when the
// GC frees it): on a pull of 100 layers that was most of the system time.
export class BufferPool {
  readonly size: number;
  private readonly keep: number;
  private readonly free: Buffer[] = [];

  constructor(size: number, keep: number) {
    this.size = size;
    this.keep = keep;
  }

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Hand a buffer back; it must no longer be in use (no write or read pending on it). */
  give(buf: Buffer): void {
    if (buf.length === this.size && this.free.length < this.keep) this.free.push(buf);
  }
}
