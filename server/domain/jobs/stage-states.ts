import { applyEvent, eventsFrom, type TransitionTable } from './transitions.js';
import type { StageStatus } from './types.js';

/** What can happen to one stage of a job. */
export type StageEvent =
  | 'start' // the job reached this stage
  | 'pause' // the job's pause took effect
  | 'resume' // the job runs again
  | 'complete'
  | 'completeWithErrors'
  | 'fail'
  | 'cancel'
  | 'skip' // an earlier stage stopped the job, so this one never runs
  | 'requeue' // crash recovery: the job queues again and the stage starts over on its open items
  | 'reopen'; // retry-failed-items: the stage (and any it caused to be skipped) runs again

export const STAGE_TRANSITIONS: TransitionTable<StageEvent, StageStatus> = {
  start: { from: ['pending'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  complete: { from: ['running'], to: 'completed' },
  completeWithErrors: { from: ['running'], to: 'completed_with_errors' },
  fail: { from: ['running'], to: 'failed' },
  cancel: { from: ['pending', 'running', 'paused'], to: 'canceled' },
  skip: { from: ['pending'], to: 'skipped' },
  requeue: { from: ['running'], to: 'pending' },
  reopen: { from: ['completed_with_errors', 'failed', 'skipped'], to: 'pending' },
};

export function nextStageStatus(from: StageStatus, event: StageEvent): StageStatus | null {
  return applyEvent(STAGE_TRANSITIONS, from, event);
}

export function stageEventsFrom(from: StageStatus): StageEvent[] {
  return eventsFrom(STAGE_TRANSITIONS, from);
}

/** The stage has nothing more to do unless retry-failed-items reopens it. */
export const STAGE_FINAL_STATUSES: readonly StageStatus[] = ['completed', 'completed_with_errors', 'failed', 'canceled', 'skipped'];

export function isStageFinal(status: StageStatus): boolean {
  return STAGE_FINAL_STATUSES.includes(status);
}
