/**
 * Download speed from the bytes actually received, as a time-based exponentially weighted
 * average (EWMA) of the byte rate. Pure: the state is a plain immutable object and every call
 * takes `now` in ms, so tests drive it with a fake clock.
 *
 * Why this shape (jobs/throughput.ts keeps a 3 s sliding window of cumulative samples; this
 * meter is for the per-chunk hot path and for a faster, steadier reading):
 * - Each addBytes spreads its bytes evenly over the time since the previous call (a
 *   piecewise-constant rate), so bursts of chunks do not make the reading saw-tooth; chunks
 *   with the same timestamp count as an impulse, the limit of the same formula.
 * - The average is divided by the weight it has seen since the first call (the kernel's mass
 *   over [start, last]), so a steady rate reads right from the start instead of creeping up
 *   from zero: the "window-corrected" EWMA.
 * - After a step change the error halves every `halfLifeMs`. Within ±5 % takes 4 half-lives
 *   for a rise ×5 (10 → 50 MB/s: error 40/50 → 2.5/50) and log2(80) ≈ 6.3 for a fall ÷5
 *   (50 → 10: 40 → 0.5). 300 ms settles the fall in 1.9 s, so even 2 s after a step the
 *   reading is within ±5 % (goal: ≤ 3 s); 0.5 s would take 3.2 s. The noise this costs is small
 *   because bytes are spread over their gaps: bench/speed-meter.ts measured ≤ 1–2 % on steady
 *   10 and 50 MB/s transfers with half-lives of 200–700 ms.
 * - Between chunks the reading holds for a grace period (twice the usual gap between chunks,
 *   at least `graceMs`), then decays with the same half-life: a stall reads as a falling speed
 *   reaching ~0 within a few seconds, while a slow transfer with sparse chunks does not flicker.
 */
export interface SpeedMeter {
  readonly halfLifeMs: number;
  /** Readings are null until this much time has passed since the first call. */
  readonly minSpanMs: number;
  /** Shortest hold before a silent meter starts to decay. */
  readonly graceMs: number;
  /** Time of the first call (the origin: its bytes carry no duration and are not counted); null before. */
  readonly startAt: number | null;
  /** Time of the latest call. */
  readonly lastAt: number | null;
  /** Σ rate × kernel weight up to lastAt, in bytes/s, not yet divided by the weight seen. */
  readonly weighted: number;
  /** EWMA of the gaps between calls that were apart in time (ms); null before the first gap. */
  readonly gapMs: number | null;
}

export const DEFAULT_HALF_LIFE_MS = 300;
export const DEFAULT_MIN_SPAN_MS = 250;
export const DEFAULT_GRACE_MS = 250;

export function createMeter(halfLifeMs = DEFAULT_HALF_LIFE_MS, minSpanMs = DEFAULT_MIN_SPAN_MS, graceMs = DEFAULT_GRACE_MS): SpeedMeter {
  if (!(halfLifeMs > 0)) throw new RangeError(`halfLifeMs must be > 0, got ${halfLifeMs}`);
  return { halfLifeMs, minSpanMs, graceMs, startAt: null, lastAt: null, weighted: 0, gapMs: null };
}

/** 2^(−dt / halfLife): how much of the past survives `dt` ms. */
const decay = (m: SpeedMeter, dtMs: number): number => 2 ** (-dtMs / m.halfLifeMs);

/**
 * The meter after `bytes` more arrived at `now`. The first call only sets the origin: call
 * `addBytes(m, 0, t)` when the transfer starts (response headers) so the first chunk counts.
 * A call older than the latest one counts as arriving at the latest time.
 */
export function addBytes(m: SpeedMeter, bytes: number, now: number): SpeedMeter {
  if (m.startAt === null || m.lastAt === null) return { ...m, startAt: now, lastAt: now };
  const dt = Math.max(0, now - m.lastAt);
  if (dt === 0) {
    // impulse: the limit of rate × (1 − decay) as dt → 0
    return { ...m, weighted: m.weighted + (bytes * 1000 * Math.LN2) / m.halfLifeMs };
  }
  const d = decay(m, dt);
  const rate = (bytes * 1000) / dt;
  const gapMs = m.gapMs === null ? dt : m.gapMs + (dt - m.gapMs) * 0.25;
  return { ...m, lastAt: m.lastAt + dt, weighted: m.weighted * d + rate * (1 - d), gapMs };
}

/**
 * Bytes per second at `now`; null until `minSpanMs` after the first call. Held for the grace
 * period after the latest bytes, then decays toward 0 with the half-life.
 */
export function speedOf(m: SpeedMeter, now: number): number | null {
  if (m.startAt === null || m.lastAt === null || now - m.startAt < m.minSpanMs) return null;
  const seen = 1 - decay(m, m.lastAt - m.startAt); // the kernel's mass over [start, last]
  const atLast = seen > 0 ? m.weighted / seen : 0;
  const grace = Math.max(m.graceMs, 2 * (m.gapMs ?? 0));
  const silent = now - m.lastAt - grace;
  return silent > 0 ? atLast * decay(m, silent) : atLast;
}

/** Seconds until `totalBytes` at the current speed; null when the total or the speed is unknown or zero. */
export function etaSeconds(m: SpeedMeter, doneBytes: number, totalBytes: number | null | undefined, now: number): number | null {
  if (totalBytes == null || totalBytes <= 0) return null;
  const remaining = totalBytes - doneBytes;
  if (remaining <= 0) return 0;
  const speed = speedOf(m, now);
  return speed ? remaining / speed : null;
}

/** Whether a throttled publisher should publish at `now` (always the first time). */
export function shouldPublish(lastPublishedAt: number | null, now: number, minIntervalMs: number): boolean {
  return lastPublishedAt === null || now - lastPublishedAt >= minIntervalMs;
}

/** A job's speed is the sum of its workers' known speeds; null when none is known. */
export function totalSpeed(speeds: readonly (number | null | undefined)[]): number | null {
  const known = speeds.filter((s): s is number => s != null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}
