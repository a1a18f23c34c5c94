import { describe, expect, it } from 'vitest';
import { FEATURES } from './features/index.ts';
import { startOrder } from './start-order.ts';

describe('startOrder', () => {
  it('starts the fault scenarios first and keeps every feature once, in declared order within an area', () => {
    const order = startOrder(FEATURES);
    expect(order.map((f) => f.id).sort()).toEqual(FEATURES.map((f) => f.id).sort());
    const firstOther = order.findIndex((f) => f.area !== 'faults');
    expect(order.slice(0, firstOther).every((f) => f.area === 'faults')).toBe(true);
    expect(order.slice(firstOther).some((f) => f.area === 'faults')).toBe(false);
    const faults = FEATURES.filter((f) => f.area === 'faults').map((f) => f.id);
    expect(order.slice(0, firstOther).map((f) => f.id)).toEqual(faults);
    // the short protocol checks come after every feature that drives peer tools
    const lastSlow = order.findLastIndex((f) => ['artifact', 'interop', 'catalog'].includes(f.area));
    const firstPush = order.findIndex((f) => f.area === 'push');
    expect(firstPush).toBeGreaterThan(lastSlow);
  });
});
