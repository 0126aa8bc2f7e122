import { isItemOpen } from './item-states.js';
import { isStageFinal } from './stage-states.js';
import { ITEM_STATUSES, type ItemStatus, type JobStatus, type StageStatus } from './types.js';

/** How many items of a stage are in each status. */
export type ItemCounts = Readonly<Record<ItemStatus, number>>;

export function countItems(statuses: Iterable<ItemStatus>): ItemCounts {
  const counts = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as Record<ItemStatus, number>;
  for (const s of statuses) counts[s]++;
  return counts;
}

/** Items that need no more work and did not fail: a skipped song is already where it belongs. */
export function doneItems(counts: ItemCounts): number {
  return counts.succeeded + counts.skipped;
}

/**
 * A stage's final status from its items, or null while any item is pending or running.
 * Canceled items mean the job was canceled; failures with nothing done mean the stage
 * achieved nothing, which is `failed` rather than `completed_with_errors`; no items is nothing to do.
 */
export function stageOutcome(counts: ItemCounts): StageStatus | null {
  if (ITEM_STATUSES.some((s) => isItemOpen(s) && counts[s] > 0)) return null;
  if (counts.canceled > 0) return 'canceled';
  if (counts.failed === 0) return 'completed';
  return doneItems(counts) > 0 ? 'completed_with_errors' : 'failed';
}

/** A failed or canceled stage ends the job: the stages after it are skipped. A partial one does not. */
export function stopsJob(status: StageStatus): boolean {
  return status === 'failed' || status === 'canceled';
}

/** Worst first: the job reports the worst final status among its stages. */
const JOB_OUTCOME_ORDER: readonly [StageStatus, JobStatus][] = [
  ['canceled', 'canceled'],
  ['failed', 'failed'],
  ['completed_with_errors', 'completed_with_errors'],
];

/** A job's final status from its stages, or null while a stage is pending, running or paused. */
export function jobOutcome(stages: readonly StageStatus[]): JobStatus | null {
  if (!stages.every(isStageFinal)) return null;
  for (const [stage, job] of JOB_OUTCOME_ORDER) if (stages.includes(stage)) return job;
  return 'completed'; // completed and skipped stages only
}
