import { describe, expect, it } from 'vitest';
import { addBytes, createMeter, DEFAULT_HALF_LIFE_MS, etaSeconds, shouldPublish, speedOf, totalSpeed, type SpeedMeter } from '../../../server/domain/downloads/speed-meter.js';
import { seededRandom } from '../../helpers/random.js';

const MB = 1e6;
const CHUNK = 64 * 1024;


/**
 * A fake transfer: 64 KiB chunks whose arrival times follow `rateAt(t)` (bytes/s), each delayed
 * by up to `jitterMs` (arrival order kept), from `fromMs` to `untilMs`. `read(t, meter)` is called every 50 ms.
 */
function transfer(opts: { untilMs: number; rateAt: (t: number) => number; jitterMs?: number; read?: (t: number, m: SpeedMeter) => void; meter?: SpeedMeter; fromMs?: number }): SpeedMeter {
  const random = seededRandom(42);
  const from = opts.fromMs ?? 0;
  let m = addBytes(opts.meter ?? createMeter(), 0, from); // the response headers: the origin
  let nextChunkAt = from;
  let lastArrival = from;
  let nextRead = from + 50;
  for (;;) {
    nextChunkAt += (CHUNK * 1000) / opts.rateAt(nextChunkAt);
    const arrival = Math.max(lastArrival, nextChunkAt + random() * (opts.jitterMs ?? 0));
    for (; nextRead < arrival && nextRead <= opts.untilMs; nextRead += 50) opts.read?.(nextRead, m);
    if (arrival > opts.untilMs) return m;
    m = addBytes(m, CHUNK, arrival);
    lastArrival = arrival;
  }
}

const relErr = (got: number | null, want: number): number => (got === null ? Infinity : Math.abs(got - want) / want);

describe('download speed meter', () => {
  it('says null before it has enough data', () => {
    const m = createMeter();
    expect(speedOf(m, 0)).toBeNull();
    const origin = addBytes(m, 0, 1000);
    expect(speedOf(origin, 1000)).toBeNull();
    const early = addBytes(addBytes(origin, CHUNK, 1100), CHUNK, 1200);
    expect(speedOf(early, 1200)).toBeNull(); // 200 ms < minSpanMs
    expect(speedOf(early, 1260)).not.toBeNull();
    expect(etaSeconds(early, 0, 10 * MB, 1200)).toBeNull();
  });

  it('is immutable: addBytes returns a new meter and leaves the old one alone', () => {
    const m = Object.freeze(addBytes(createMeter(), 0, 0));
    const n = addBytes(m, CHUNK, 100);
    expect(n).not.toBe(m);
    expect(m.weighted).toBe(0);
  });

  for (const rate of [10 * MB, 50 * MB]) {
    it(`reads a steady ${rate / MB} MB/s within ±5 % from 2 s on, with jittered chunk arrivals`, () => {
      const errors: number[] = [];
      transfer({ untilMs: 8000, rateAt: () => rate, jitterMs: 2, read: (t, m) => t >= 2000 && errors.push(relErr(speedOf(m, t), rate)) });
      expect(Math.max(...errors)).toBeLessThan(0.05);
      // exact without jitter: the first reading already is (window-corrected, no creep up from 0)
      const first: number[] = [];
      transfer({ untilMs: 400, rateAt: () => rate, read: (t, m) => t === 300 && first.push(speedOf(m, t) ?? NaN) });
      expect(relErr(first[0]!, rate)).toBeLessThan(0.01);
    });
  }

  for (const [from, to] of [
    [10 * MB, 50 * MB],
    [50 * MB, 10 * MB],
  ] as const) {
    it(`settles within ±5 % in ≤ 3 s after a step ${from / MB} → ${to / MB} MB/s, and is within ±5 % 2 s after it`, () => {
      const stepAt = 5000;
      const readings: { t: number; err: number }[] = [];
      transfer({
        untilMs: 10_000,
        rateAt: (t) => (t < stepAt ? from : to),
        jitterMs: 1,
        read: (t, m) => t >= stepAt && readings.push({ t, err: relErr(speedOf(m, t), to) }),
      });
      const lastBad = readings.filter((r) => r.err > 0.05).at(-1)?.t ?? stepAt;
      expect(lastBad - stepAt).toBeLessThanOrEqual(3000);
      expect(readings.find((r) => r.t === stepAt + 2000)!.err).toBeLessThan(0.05);
      // and it did move: right after the step the reading is still near the old rate
      expect(readings.find((r) => r.t === stepAt + 50)!.err).toBeGreaterThan(0.5);
    });
  }

  it('holds briefly when bytes stop, then decays toward 0 (never back to null)', () => {
    const rate = 10 * MB;
    const m = transfer({ untilMs: 5000, rateAt: () => rate });
    const last = m.lastAt!;
    expect(relErr(speedOf(m, last + 200), rate)).toBeLessThan(0.01); // within the grace period
    const s1 = speedOf(m, last + 1000)!;
    const s3 = speedOf(m, last + 3000)!;
    expect(s1).toBeLessThan(rate * 0.5);
    expect(s3).toBeLessThan(s1);
    expect(s3).toBeLessThan(rate * 0.01);
    expect(speedOf(m, last + 60_000)).toBeGreaterThanOrEqual(0);
    // bytes again after 10 s of silence: back within ±5 % in ≤ 3 s
    const back = transfer({ meter: m, fromMs: last + 10_000, untilMs: last + 13_000, rateAt: () => rate });
    expect(relErr(speedOf(back, back.lastAt!), rate)).toBeLessThan(0.05);
  });

  it('does not flicker between the sparse chunks of a slow transfer (one 64 KiB chunk every 650 ms)', () => {
    const rate = CHUNK / 0.65;
    const errors: number[] = [];
    transfer({ untilMs: 10_000, rateAt: () => rate, read: (t, m) => t >= 2000 && errors.push(relErr(speedOf(m, t), rate)) });
    expect(Math.max(...errors)).toBeLessThan(0.05);
  });

  it('counts a late timestamp at the latest time and rejects a half-life that is not positive', () => {
    const m = addBytes(addBytes(addBytes(createMeter(), 0, 0), CHUNK, 500), CHUNK, 400);
    expect(m.lastAt).toBe(500);
    expect(speedOf(m, 500)).toBeGreaterThan(0);
    expect(() => createMeter(0)).toThrow(RangeError);
    expect(createMeter().halfLifeMs).toBe(DEFAULT_HALF_LIFE_MS);
  });

  it('estimates the time left from the current speed', () => {
    const m = transfer({ untilMs: 3000, rateAt: () => 10 * MB });
    const now = m.lastAt!;
    expect(etaSeconds(m, 20 * MB, 100 * MB, now)).toBeCloseTo(8, 1);
    expect(etaSeconds(m, 20 * MB, null, now)).toBeNull();
    expect(etaSeconds(m, 100 * MB, 100 * MB, now)).toBe(0);
    expect(etaSeconds(createMeter(), 0, 100 * MB, now)).toBeNull();
    // a stalled transfer: the ETA grows with the silence
    expect(etaSeconds(m, 20 * MB, 100 * MB, now + 2000)!).toBeGreaterThan(50);
  });

  it('throttles publishing to one per interval, the first one always', () => {
    expect(shouldPublish(null, 0, 250)).toBe(true);
    expect(shouldPublish(1000, 1249, 250)).toBe(false);
    expect(shouldPublish(1000, 1250, 250)).toBe(true);
  });
});

describe('totalSpeed', () => {
  it('adds the known speeds of a job’s workers; null when none is known', () => {
    expect(totalSpeed([1e6, null, 2e6])).toBe(3e6);
    expect(totalSpeed([null, undefined])).toBeNull();
    expect(totalSpeed([])).toBeNull();
    expect(totalSpeed([0])).toBe(0);
  });
});
