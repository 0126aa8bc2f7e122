import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from '../../server/daemons/activity-throttle.js';
import { ACTIVITY_MESSAGE_MAX, clampActivityMessage, throttleDecision } from '../../server/domain/daemons/throttle.js';

describe('throttleDecision', () => {
  it('emits the first value and values after the interval', () => {
    expect(throttleDecision(null, 1000, 250)).toEqual({ emitNow: true });
    expect(throttleDecision(1000, 1250, 250)).toEqual({ emitNow: true });
  });
  it('delays values that come too soon until the interval ends', () => {
    expect(throttleDecision(1000, 1100, 250)).toEqual({ emitNow: false, delayMs: 150 });
  });
});

describe('Throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets at most one value per interval through and always delivers the latest', () => {
    const out: number[] = [];
    const t = new Throttle<number>(250, (v) => out.push(v), () => Date.now());
    for (let i = 1; i <= 100; i++) t.push(i);
    expect(out).toEqual([1]);
    vi.advanceTimersByTime(250);
    expect(out).toEqual([1, 100]);
    vi.advanceTimersByTime(1000);
    expect(out).toEqual([1, 100]);
  });

  it('spreads a steady stream to the interval', () => {
    const out: number[] = [];
    const t = new Throttle<number>(250, (v) => out.push(v), () => Date.now());
    for (let i = 0; i < 100; i++) {
      t.push(i);
      vi.advanceTimersByTime(10); // 100 values over one second
    }
    vi.advanceTimersByTime(250);
    expect(out.length).toBeLessThanOrEqual(5);
    expect(out.at(-1)).toBe(99);
  });

  it('drops the pending value on cancel', () => {
    const out: number[] = [];
    const t = new Throttle<number>(250, (v) => out.push(v), () => Date.now());
    t.push(1);
    t.push(2);
    t.cancel();
    vi.advanceTimersByTime(1000);
    expect(out).toEqual([1]);
  });
});

describe('activity messages', () => {
  it('are capped at 500 characters', () => {
    expect(clampActivityMessage('x'.repeat(600))).toHaveLength(ACTIVITY_MESSAGE_MAX);
    expect(clampActivityMessage('short')).toBe('short');
  });
});
