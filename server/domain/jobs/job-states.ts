import { applyEvent, eventsFrom, type TransitionTable } from './transitions.js';
import type { JobStatus } from './types.js';

/** What can happen to a job; the person's controls map onto these (JOB_CONTROL_EVENTS). */
export type JobEvent =
  | 'start' // the dispatcher claimed a free lane slot
  | 'requestPause' // pause while items are in flight: stop claiming, let them finish
  | 'pauseQueued' // pause a job that has not started: nothing is in flight
  | 'pauseReached' // the last in-flight item ended (or a crash ended them)
  | 'withdrawPause' // resume before the pause took effect: keep the lane slot
  | 'resume' // back into the lane's queue
  | 'complete'
  | 'completeWithErrors'
  | 'fail'
  | 'cancel'
  | 'requeue' // crash recovery: the process died while the job ran
  | 'reopen'; // retry-failed-items on a finished job: it queues again

export const JOB_TRANSITIONS: TransitionTable<JobEvent, JobStatus> = {
  start: { from: ['queued'], to: 'running' },
  requestPause: { from: ['running'], to: 'pause_requested' },
  pauseQueued: { from: ['queued'], to: 'paused' },
  pauseReached: { from: ['pause_requested'], to: 'paused' },
  withdrawPause: { from: ['pause_requested'], to: 'running' },
  resume: { from: ['paused'], to: 'queued' },
  // The work can run out before a requested pause takes effect: finishing beats pausing an empty job.
  complete: { from: ['running', 'pause_requested'], to: 'completed' },
  completeWithErrors: { from: ['running', 'pause_requested'], to: 'completed_with_errors' },
  fail: { from: ['running', 'pause_requested'], to: 'failed' },
  cancel: { from: ['queued', 'running', 'pause_requested', 'paused'], to: 'canceled' },
  requeue: { from: ['running'], to: 'queued' },
  reopen: { from: ['completed_with_errors', 'failed'], to: 'queued' },
};

export function nextJobStatus(from: JobStatus, event: JobEvent): JobStatus | null {
  return applyEvent(JOB_TRANSITIONS, from, event);
}

export function jobEventsFrom(from: JobStatus): JobEvent[] {
  return eventsFrom(JOB_TRANSITIONS, from);
}

/** The controls a person has on a job row. */
export const JOB_CONTROLS = ['pause', 'resume', 'cancel'] as const;
export type JobControl = (typeof JOB_CONTROLS)[number];

/** Each control is whichever of its events the table allows in the job's status. */
const JOB_CONTROL_EVENTS: Readonly<Record<JobControl, readonly JobEvent[]>> = {
  pause: ['requestPause', 'pauseQueued'],
  resume: ['withdrawPause', 'resume'],
  cancel: ['cancel'],
};

/** The event a control means in `status`, or null when the control is not possible there. */
export function controlEvent(status: JobStatus, control: JobControl): JobEvent | null {
  return JOB_CONTROL_EVENTS[control].find((e) => nextJobStatus(status, e) !== null) ?? null;
}

export const canPause = (status: JobStatus): boolean => controlEvent(status, 'pause') !== null;
export const canResume = (status: JobStatus): boolean => controlEvent(status, 'resume') !== null;
export const canCancel = (status: JobStatus): boolean => controlEvent(status, 'cancel') !== null;

/**
 * Which jobs a person (or retention) may remove: only those the runner is done with. Removing
 * is no transition — the job and everything under it (stages, items, worker slots, events,
 * commands) goes — so it is tabled here by status, next to the controls it stands beside.
 */
export const JOB_REMOVABLE_STATUSES: readonly JobStatus[] = ['completed', 'completed_with_errors', 'failed', 'canceled'];

export const canRemove = (status: JobStatus): boolean => JOB_REMOVABLE_STATUSES.includes(status);

/** The runner is done with a job in these; only retry-failed-items (`reopen`) leaves two of them. */
export const JOB_FINAL_STATUSES: readonly JobStatus[] = ['completed', 'completed_with_errors', 'failed', 'canceled'];

export function isJobFinal(status: JobStatus): boolean {
  return JOB_FINAL_STATUSES.includes(status);
}

/** A job in these holds a slot of its lane: a pausing job still has items in flight. */
export const LANE_HOLDING_STATUSES: readonly JobStatus[] = ['running', 'pause_requested'];

export function holdsLaneSlot(status: JobStatus): boolean {
  return LANE_HOLDING_STATUSES.includes(status);
}

/** What retry-failed-items does to the job: nothing when it is still live, reopen when it has finished. */
export type RetryFailedItemsEffect = 'itemsOnly' | 'reopenJob';

export function retryFailedItemsEffect(status: JobStatus): RetryFailedItemsEffect | null {
  if (nextJobStatus(status, 'reopen') !== null) return 'reopenJob';
  return isJobFinal(status) ? null : 'itemsOnly'; // a canceled job stays canceled; a completed one has no failures
}
