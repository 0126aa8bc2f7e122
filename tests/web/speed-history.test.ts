import { describe, expect, it } from 'vitest';
import { addSample, peakSpeed, sparklineData, SPEED_WINDOW_MS, type SpeedSample } from '../../web/src/lib/speed-history.js';

const t0 = Date.parse('2026-11-23T12:00:00Z');

function feed(samples: SpeedSample[]): SpeedSample[] {
  return samples.reduce<SpeedSample[]>((held, s) => addSample(held, s), []);
}

describe("a job's speed history", () => {
  it('keeps the last minute, oldest first', () => {
    const held = feed([
      { at: t0, speed: 1 },
      { at: t0 + 30_000, speed: 2 },
      { at: t0 + SPEED_WINDOW_MS, speed: 3 },
      { at: t0 + SPEED_WINDOW_MS + 1, speed: 4 },
    ]);
    expect(held.map((s) => s.speed)).toEqual([2, 3, 4]);
  });

  it('puts a late event in its place and replaces a repeated one', () => {
    const held = feed([
      { at: t0 + 2000, speed: 2 },
      { at: t0 + 1000, speed: 1 },
      { at: t0 + 2000, speed: 5 },
    ]);
    expect(held).toEqual([
      { at: t0 + 1000, speed: 1 },
      { at: t0 + 2000, speed: 5 },
    ]);
  });

  it('gives uPlot seconds before the newest sample, unknown speeds as gaps', () => {
    const held = feed([
      { at: t0, speed: 100 },
      { at: t0 + 500, speed: null },
      { at: t0 + 5000, speed: 300 },
      { at: t0 + 6000, speed: null },
    ]);
    expect(sparklineData(held)).toEqual([
      [-6, -5.5, -1, 0],
      [100, null, 300, null],
    ]);
    expect(sparklineData([])).toEqual([[], []]);
  });

  it('draws across a short unknown stretch between two known speeds', () => {
    const held = feed([
      { at: t0, speed: null },
      { at: t0 + 1000, speed: 100 },
      { at: t0 + 1250, speed: null },
      { at: t0 + 1500, speed: null },
      { at: t0 + 2000, speed: 300 },
    ]);
    expect(sparklineData(held)).toEqual([
      [-2, -1, 0],
      [null, 100, 300],
    ]);
    // Over the bridge's length the stretch stays a gap.
    expect(sparklineData(held, 500)[1]).toEqual([null, 100, null, null, 300]);
  });

  it('knows its peak, or that it knows none', () => {
    expect(peakSpeed([{ at: t0, speed: null }])).toBeNull();
    expect(peakSpeed([{ at: t0, speed: 10 }, { at: t0 + 1, speed: null }, { at: t0 + 2, speed: 30 }])).toBe(30);
  });
});
