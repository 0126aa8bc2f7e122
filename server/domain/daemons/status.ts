import type { DaemonEvent } from './states.js';

/** What a daemon is doing right now, as the seeds' indicator shows it. */
export const DAEMON_STATUSES = ['IDLE', 'ACTIVE', 'ERROR', 'STOPPED'] as const;
export type DaemonStatus = (typeof DAEMON_STATUSES)[number];

export type StatusEvent =
  | 'cycleStarted' // a cycle began: ACTIVE while it runs
  | 'cycleSucceeded'
  | 'cycleFailed' // the cycle threw: ERROR until a cycle succeeds
  | 'crashed' // set-up failed or the loop crashed: ERROR while restarting or failed
  | 'halted' // the daemon stopped
  | 'woke'; // the daemon runs again

export const STATUS_TRANSITIONS: Readonly<Record<StatusEvent, { from: readonly DaemonStatus[]; to: DaemonStatus }>> = {
  cycleStarted: { from: ['IDLE', 'ERROR'], to: 'ACTIVE' },
  cycleSucceeded: { from: ['ACTIVE'], to: 'IDLE' },
  cycleFailed: { from: ['ACTIVE'], to: 'ERROR' },
  crashed: { from: ['IDLE', 'ACTIVE', 'ERROR', 'STOPPED'], to: 'ERROR' },
  halted: { from: ['IDLE', 'ACTIVE', 'ERROR'], to: 'STOPPED' },
  woke: { from: ['STOPPED', 'ERROR'], to: 'IDLE' },
};

export function nextDaemonStatus(from: DaemonStatus, event: StatusEvent): DaemonStatus | null {
  const t = STATUS_TRANSITIONS[event];
  return t.from.includes(from) ? t.to : null;
}

/** The status event a lifecycle event implies; the others leave the status as it is. */
const LIFECYCLE_STATUS: Partial<Record<DaemonEvent, StatusEvent>> = {
  started: 'woke',
  stopped: 'halted',
  restart: 'crashed',
  fail: 'crashed',
  startFailed: 'crashed',
};

/** The status after a lifecycle event, written in the same statement as the state. */
export function statusAfterLifecycle(event: DaemonEvent, current: DaemonStatus): DaemonStatus {
  const se = LIFECYCLE_STATUS[event];
  return se === undefined ? current : (nextDaemonStatus(current, se) ?? current);
}
