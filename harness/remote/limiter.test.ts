import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter.ts';

describe('Limiter', () => {
  it('never lets more than the limit run at once', async () => {
    const l = new Limiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await l.acquire();
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        release();
        release(); // a second release is harmless
      }),
    );
    expect(peak).toBe(3);
    expect(l.inUse).toBe(0);
  });
});
