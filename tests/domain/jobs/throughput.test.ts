import { describe, expect, it } from 'vitest';
import { createSpeedMeter, recordSample, speedBytesPerSec, totalSpeed, type SpeedMeter } from '../../../server/domain/jobs/throughput.js';

const MB = 2 ** 20;

/** Feeds one sample every `stepMs` from `fromMs` while `bytesAt(t)` says how much has arrived. */
function feed(meter: SpeedMeter, fromMs: number, toMs: number, stepMs: number, bytesAt: (t: number) => number): SpeedMeter {
  let m = meter;
  for (let t = fromMs; t <= toMs; t += stepMs) m = recordSample(m, bytesAt(t), t);
  return m;
}

describe('speed meter', () => {
  it('knows nothing without samples, or with one', () => {
    const m = createSpeedMeter();
    expect(speedBytesPerSec(m, 0)).toBeNull();
    expect(speedBytesPerSec(recordSample(m, 5 * MB, 0), 0)).toBeNull();
  });

  it('measures a steady rate', () => {
    const m = feed(createSpeedMeter(), 0, 10_000, 500, (t) => (t / 1000) * 3 * MB);
    expect(speedBytesPerSec(m, 10_000)).toBeCloseTo(3 * MB, 0);
  });

  it('keeps only the window and its left edge', () => {
    const m = feed(createSpeedMeter(), 0, 10_000, 500, (t) => t);
    expect(m.samples[0]?.atMs).toBe(7_000);
    expect(m.samples.at(-1)?.atMs).toBe(10_000);
  });

  it('falls when the transfer stalls and reaches zero after a window', () => {
    const rate = (t: number) => (t <= 10_000 ? (t / 1000) * 3 * MB : 30 * MB);
    let m = feed(createSpeedMeter(), 0, 10_000, 500, rate);
    const before = speedBytesPerSec(m, 10_000) ?? 0;
    m = feed(m, 10_500, 11_500, 500, rate);
    const during = speedBytesPerSec(m, 11_500) ?? 0;
    expect(during).toBeLessThan(before);
    expect(during).toBeGreaterThan(0);
    m = feed(m, 12_000, 13_000, 500, rate);
    expect(speedBytesPerSec(m, 13_000)).toBe(0);
  });

  it('says unknown, not zero, when reports stop for a whole window', () => {
    const m = feed(createSpeedMeter(), 0, 5_000, 500, (t) => t * 1000);
    expect(speedBytesPerSec(m, 7_000)).not.toBeNull();
    expect(speedBytesPerSec(m, 8_001)).toBeNull();
  });

  it('counts only bytes received: a resumed transfer starts at its offset, a restart starts over', () => {
    let m = recordSample(createSpeedMeter(), 50 * MB, 0); // resumed at 50 MB
    m = recordSample(m, 51 * MB, 1_000);
    expect(speedBytesPerSec(m, 1_000)).toBe(MB);
    m = recordSample(m, 0, 1_500); // a new transfer
    expect(m.samples).toEqual([{ bytes: 0, atMs: 1_500 }]);
    expect(speedBytesPerSec(m, 1_500)).toBeNull();
  });

  it('ignores late samples and replaces one with the same time', () => {
    let m = recordSample(createSpeedMeter(), 0, 0);
    m = recordSample(m, 1_000, 1_000);
    expect(recordSample(m, 10, 500)).toBe(m);
    m = recordSample(m, 2_000, 1_000);
    expect(m.samples).toEqual([
      { bytes: 0, atMs: 0 },
      { bytes: 2_000, atMs: 1_000 },
    ]);
  });

  it("sums a job's known worker speeds, null when none is known", () => {
    expect(totalSpeed([MB, null, 2 * MB])).toBe(3 * MB);
    expect(totalSpeed([null, undefined])).toBeNull();
    expect(totalSpeed([])).toBeNull();
    expect(totalSpeed([0])).toBe(0);
  });
});
