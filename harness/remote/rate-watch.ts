// A floor under the speed of a response body (issue 18): a body sent one byte every
// 20 s never trips an idle timeout, so the bytes that arrive while the client is
// waiting for them are counted, once a second, and a body slower than the floor
// over a window is failed, like curl's --speed-limit/--speed-time. Seconds in
// which the client itself holds the body back (a paused or full stream: its own
// disk or upload is the slow side) do not count.
import { TimeoutError } from './timeout-error.ts';

export interface RateFloor {
  /** Bytes a second, on average over the window. */
  minBytesPerSecond: number;
  windowMs: number;
}

export const DEFAULT_RATE_FLOOR: RateFloor = { minBytesPerSecond: 1024, windowMs: 60_000 };

export interface RateSource {
  /** Bytes read so far (e.g. socket.bytesRead). */
  bytes(): number;
  /** True while the client, not the server, is the reason no bytes come. */
  heldBack(): boolean;
}

/** Starts watching; returns a stop function. `onSlow` is called at most once. */
export function watchRate(source: RateSource, floor: RateFloor, onSlow: (e: Error) => void): () => void {
  if (floor.minBytesPerSecond <= 0 || floor.windowMs <= 0) return () => {};
  const seconds = Math.max(1, Math.round(floor.windowMs / 1000));
  const samples: number[] = []; // bytes per active second, newest last
  let last = source.bytes();
  const timer = setInterval(() => {
    const now = source.bytes();
    const got = now - last;
    last = now;
    if (source.heldBack()) return;
    samples.push(got);
    if (samples.length > seconds) samples.shift();
    if (samples.length < seconds) return;
    const total = samples.reduce((a, b) => a + b, 0);
    if (total < floor.minBytesPerSecond * seconds) {
      clearInterval(timer);
      onSlow(new TimeoutError('OCICAT_BODY_TOO_SLOW', floor.windowMs, total));
    }
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
