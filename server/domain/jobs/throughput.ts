/**
 * Download speed from bytes actually received, over a sliding window of ~3 s.
 * A window rather than an exponential average: its value is exactly "bytes in the last
 * seconds / those seconds" whatever the sample spacing, and a stall or burst leaves it
 * completely once the window has passed. Pure: samples and readings carry their own time.
 */
export interface SpeedSample {
  /** Bytes received by this transfer so far (a resumed download starts at its offset). */
  readonly bytes: number;
  readonly atMs: number;
}

export interface SpeedMeter {
  readonly windowMs: number;
  /** Oldest first; one sample older than the window is kept as its left edge. */
  readonly samples: readonly SpeedSample[];
}

export const DEFAULT_SPEED_WINDOW_MS = 3_000;

export function createSpeedMeter(windowMs = DEFAULT_SPEED_WINDOW_MS): SpeedMeter {
  return { windowMs, samples: [] };
}

/** The meter with one more sample. Fewer bytes than before means a new transfer: it starts over. */
export function recordSample(meter: SpeedMeter, bytes: number, atMs: number): SpeedMeter {
  const last = meter.samples.at(-1);
  if (last && atMs < last.atMs) return meter; // late report: the newer one already counts
  if (last && bytes < last.bytes) return { ...meter, samples: [{ bytes, atMs }] };
  const kept = last && atMs === last.atMs ? meter.samples.slice(0, -1) : meter.samples;
  const samples = [...kept, { bytes, atMs }];
  // Drop samples the window no longer needs, keeping the newest one at or before its left edge.
  let edge = 0;
  while (edge + 1 < samples.length && (samples[edge + 1]?.atMs ?? Infinity) <= atMs - meter.windowMs) edge++;
  return { ...meter, samples: samples.slice(edge) };
}

/**
 * Bytes per second over the window ending at the newest sample; null when unknown: fewer than
 * two samples, or no report for a whole window (a silent transfer is unknown, not zero).
 */
export function speedBytesPerSec(meter: SpeedMeter, nowMs: number): number | null {
  const first = meter.samples[0];
  const last = meter.samples.at(-1);
  if (!first || !last || nowMs - last.atMs > meter.windowMs) return null;
  const spanMs = last.atMs - first.atMs; // recordSample keeps the window plus its left edge, no more
  return spanMs > 0 ? ((last.bytes - first.bytes) * 1000) / spanMs : null;
}

/** A job's speed is the sum of its workers' known speeds; null when none is known. */
export function totalSpeed(speeds: readonly (number | null | undefined)[]): number | null {
  const known = speeds.filter((s): s is number => s != null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}
