import type { JobEvent } from './job-states.js';
import type { StageEvent } from './stage-states.js';
import type { JobStatus } from './types.js';

/**
 * A running item whose worker has not beaten for this long is presumed dead (issue 3: 30 s):
 * three cycles of the download monitor, several times the gap between a live worker's beats.
 */
export const STALE_HEARTBEAT_MS = 30_000;

/** An item that never got a heartbeat is as dead as one whose heartbeat stopped. */
export function isHeartbeatStale(heartbeatAt: Date | null | undefined, now: Date, staleAfterMs = STALE_HEARTBEAT_MS): boolean {
  return heartbeatAt == null || now.getTime() - heartbeatAt.getTime() >= staleAfterMs;
}

/** What start-up does to a job (and its running stage) that a crash left holding a lane slot. */
export interface JobRecovery {
  readonly job: JobEvent;
  readonly runningStage: StageEvent;
}

/**
 * A running job queues again in its lane and its stage starts over on the open items; a job that
 * was pausing is paused, since the crash ended its in-flight items (they are reclaimed as pending).
 */
export function recoveryFor(status: JobStatus): JobRecovery | null {
  if (status === 'running') return { job: 'requeue', runningStage: 'requeue' };
  if (status === 'pause_requested') return { job: 'pauseReached', runningStage: 'pause' };
  return null;
}
