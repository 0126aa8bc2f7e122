import { transferPercent } from '../jobs/progress.js';
import { totalSpeed } from './speed-meter.js';

/** One worker slot's transfer as the runner holds it. */
export interface SlotTransfer {
  readonly workerName: string;
  readonly status: 'idle' | 'busy';
  readonly downloadedBytes: number;
  readonly totalBytes: number | null;
  readonly speedBytesPerSec: number | null;
}

export interface WorkerSpeed {
  readonly name: string;
  readonly downloadedBytes: number;
  readonly totalBytes: number | null;
  readonly speedBytesPerSec: number | null;
  readonly progressPercent: number | null;
  readonly etaSeconds: number | null;
}

/**
 * A job's live download figures: its busy workers' items (what is in flight now), their summed
 * speed, and the time left at that speed. Facts only; clients format them.
 */
export interface DownloadSpeed {
  readonly jobId: number;
  readonly speedBytesPerSec: number | null;
  readonly downloadedBytes: number;
  /** Null when a busy worker's item has no known size. */
  readonly totalBytes: number | null;
  readonly progressPercent: number | null;
  readonly etaSeconds: number | null;
  readonly workers: readonly WorkerSpeed[];
  readonly at: Date;
}

/** Seconds until `total` at `speed`; null when either is unknown or nothing moves. */
export function remainingSeconds(done: number, total: number | null, speed: number | null): number | null {
  if (total === null || speed === null || speed <= 0) return null;
  return Math.max(0, (total - done) / speed);
}

export function downloadSpeed(jobId: number, slots: readonly SlotTransfer[], at: Date): DownloadSpeed {
  const busy = slots.filter((s) => s.status === 'busy');
  const workers = busy.map((s) => ({
    name: s.workerName,
    downloadedBytes: s.downloadedBytes,
    totalBytes: s.totalBytes,
    speedBytesPerSec: s.speedBytesPerSec,
    progressPercent: transferPercent(s.downloadedBytes, s.totalBytes),
    etaSeconds: remainingSeconds(s.downloadedBytes, s.totalBytes, s.speedBytesPerSec),
  }));
  const downloadedBytes = busy.reduce((n, s) => n + s.downloadedBytes, 0);
  const totalBytes = busy.length > 0 && busy.every((s) => s.totalBytes !== null) ? busy.reduce((n, s) => n + (s.totalBytes ?? 0), 0) : null;
  const speedBytesPerSec = totalSpeed(busy.map((s) => s.speedBytesPerSec));
  return {
    jobId,
    speedBytesPerSec,
    downloadedBytes,
    totalBytes,
    progressPercent: transferPercent(downloadedBytes, totalBytes),
    etaSeconds: remainingSeconds(downloadedBytes, totalBytes, speedBytesPerSec),
    workers,
    at,
  };
}
