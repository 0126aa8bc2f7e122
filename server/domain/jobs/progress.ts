import { doneItems, type ItemCounts } from './aggregate.js';
import { primaryStageOf } from './catalog.js';
import type { JobType, StageType } from './types.js';

/** The progress a task-center row shows: done / total items of the job's primary stage. */
export interface PrimaryProgress {
  readonly completedItems: number;
  readonly totalItems: number;
  /** Whole percent, null when there is nothing to count yet. */
  readonly percent: number | null;
}

/** Rounded down, so 100 means every item is done and 199 / 200 reads 99, not 100. */
export function progressPercent(done: number, total: number): number | null {
  if (total <= 0) return null;
  return Math.min(100, Math.floor((done * 100) / total));
}

export interface StageProgressInput {
  readonly stageType: StageType;
  readonly counts: ItemCounts;
}

/** A job whose primary stage has no items yet (still collecting or syncing) shows 0 / 0. */
export function primaryProgress(jobType: JobType, stages: readonly StageProgressInput[]): PrimaryProgress {
  const primary = stages.find((s) => s.stageType === primaryStageOf(jobType));
  if (!primary) return { completedItems: 0, totalItems: 0, percent: null };
  const total = Object.values(primary.counts).reduce((a, b) => a + b, 0);
  const done = doneItems(primary.counts);
  return { completedItems: done, totalItems: total, percent: progressPercent(done, total) };
}

/** A transfer's percent to one decimal, rounded down; null when the size is unknown. */
export function transferPercent(downloadedBytes: number, totalBytes: number | null | undefined): number | null {
  if (totalBytes == null || totalBytes <= 0) return null;
  return Math.min(100, Math.floor((downloadedBytes * 1000) / totalBytes) / 10);
}

/** How long a job ran, start to end (the seed's duration); null until it has finished, or when it never started. */
export function elapsedMs(startedAt: Date | null, finishedAt: Date | null): number | null {
  if (startedAt === null || finishedAt === null) return null;
  return Math.max(0, finishedAt.getTime() - startedAt.getTime());
}
