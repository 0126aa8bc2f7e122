// A job's recent download speed, as the sparkline draws it: samples within a window of time.

/** One reading: when (ms since the epoch, the server's clock) and the speed then (null: unknown). */
export interface SpeedSample {
  readonly at: number;
  readonly speed: number | null;
}

/** How much history a job keeps: the last minute. */
export const SPEED_WINDOW_MS = 60_000;

/**
 * The samples with `sample` added, in time order, keeping only those within `windowMs` of the
 * newest. A sample older than the newest held (a late or repeated event) is placed in order.
 */
export function addSample(samples: readonly SpeedSample[], sample: SpeedSample, windowMs = SPEED_WINDOW_MS): SpeedSample[] {
  const all = [...samples.filter((s) => s.at !== sample.at), sample].sort((a, b) => a.at - b.at);
  const newest = all.at(-1)?.at ?? sample.at;
  return all.filter((s) => s.at >= newest - windowMs);
}

/** Unknown stretches shorter than this between two known speeds are drawn across (a meter warming up on the next song). */
export const BRIDGE_MS = 3000;

/**
 * The samples as uPlot's aligned data: seconds relative to the newest (−60 … 0), and speeds,
 * null where unknown (a gap in the line). An unknown stretch between two known speeds less than
 * `bridgeMs` apart is left out, so the line runs across it; a longer one stays a gap.
 */
export function sparklineData(samples: readonly SpeedSample[], bridgeMs = BRIDGE_MS): [number[], (number | null)[]] {
  const newest = samples.at(-1)?.at ?? 0;
  const shown = samples.filter((s, i) => {
    if (s.speed !== null) return true;
    const before = samples.slice(0, i).findLast((p) => p.speed !== null);
    const after = samples.slice(i + 1).find((p) => p.speed !== null);
    return !(before && after && after.at - before.at <= bridgeMs);
  });
  return [shown.map((s) => (s.at - newest) / 1000), shown.map((s) => s.speed)];
}

/** The highest known speed among the samples; null when none is known. */
export function peakSpeed(samples: readonly SpeedSample[]): number | null {
  let peak: number | null = null;
  for (const s of samples) if (s.speed !== null && (peak === null || s.speed > peak)) peak = s.speed;
  return peak;
}
