import type { JobStatus, Lane } from './types.js';

/** What the dispatcher needs to know about a queued job. */
export interface QueuedJob {
  readonly id: number;
  readonly lane: Lane;
  /** Lower starts first, as the seed's queue (`ORDER BY priority ASC`); 0 is the default. */
  readonly priority: number;
  readonly createdAt: Date;
  readonly status: JobStatus;
  /** Set while the job backs off after failures: it may not start before this. */
  readonly notBefore?: Date | null;
}

/** A number per lane: running jobs, or the lane's limit. */
export type LaneCounts = Readonly<Record<Lane, number>>;

/** Dispatch order: priority (lower first), then older first, then lower id — stable for equal times. */
export function compareDispatchOrder(a: QueuedJob, b: QueuedJob): number {
  return a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id;
}

export function freeSlots(lane: Lane, running: LaneCounts, limits: LaneCounts): number {
  return Math.max(0, limits[lane] - running[lane]); // a limit lowered below the running count starts nothing
}

function isBackingOff(job: QueuedJob, now: Date): boolean {
  return job.notBefore != null && job.notBefore.getTime() > now.getTime();
}

/** Queued jobs that may start now, of one lane or all, in dispatch order. */
function readyInOrder(queued: readonly QueuedJob[], now: Date, lane?: Lane): QueuedJob[] {
  return queued
    .filter((j) => j.status === 'queued' && !isBackingOff(j, now) && (lane === undefined || j.lane === lane))
    .sort(compareDispatchOrder);
}

/**
 * The jobs to start now: per lane, the first ready jobs in dispatch order, never more than the
 * lane's free slots (no prefetching). A job backing off does not block the jobs behind it.
 */
export function pickRunnable(queued: readonly QueuedJob[], running: LaneCounts, limits: LaneCounts, now: Date): QueuedJob[] {
  const taken: Partial<Record<Lane, number>> = {};
  const picked: QueuedJob[] = [];
  for (const job of readyInOrder(queued, now)) {
    const used = taken[job.lane] ?? 0;
    if (used >= freeSlots(job.lane, running, limits)) continue;
    taken[job.lane] = used + 1;
    picked.push(job);
  }
  return picked;
}

/**
 * Each ready queued job's place in its lane's line (1 = starts next), in dispatch order.
 * Jobs backing off have no place until their time comes; their waiting reason says until when.
 */
export function queuePositions(queued: readonly QueuedJob[], now: Date): Map<number, number> {
  const positions = new Map<number, number>();
  const next: Partial<Record<Lane, number>> = {};
  for (const job of readyInOrder(queued, now)) {
    const n = (next[job.lane] ?? 0) + 1;
    next[job.lane] = n;
    positions.set(job.id, n);
  }
  return positions;
}

export function queuePosition(jobId: number, queued: readonly QueuedJob[], now: Date): number | null {
  return queuePositions(queued, now).get(jobId) ?? null;
}

/** Why a job that is not running waits, as facts; clients word it. */
export type WaitingReason =
  | { readonly kind: 'paused' } // waits for resume
  | { readonly kind: 'backingOff'; readonly until: Date }
  | { readonly kind: 'laneBusy'; readonly lane: Lane; readonly limit: number; readonly runningJobIds: readonly number[] }
  | { readonly kind: 'behindInQueue'; readonly lane: Lane; readonly aheadJobIds: readonly number[] } // slots free, earlier jobs take them
  | { readonly kind: 'startingSoon' }; // a slot is free for it: the dispatcher's next tick starts it

export interface WaitingContext {
  readonly now: Date;
  readonly queued: readonly QueuedJob[];
  /** Jobs holding each lane's slots (running or pause_requested). */
  readonly runningJobIds: Readonly<Record<Lane, readonly number[]>>;
  readonly limits: LaneCounts;
}

/** Why `job` waits, or null when it is not waiting (running, finished …). */
export function waitingReason(job: QueuedJob, ctx: WaitingContext): WaitingReason | null {
  if (job.status === 'paused') return { kind: 'paused' };
  if (job.status !== 'queued') return null;
  if (job.notBefore != null && isBackingOff(job, ctx.now)) return { kind: 'backingOff', until: job.notBefore };
  const running = ctx.runningJobIds[job.lane];
  const free = Math.max(0, ctx.limits[job.lane] - running.length);
  if (free === 0) return { kind: 'laneBusy', lane: job.lane, limit: ctx.limits[job.lane], runningJobIds: running };
  const ahead = readyInOrder(ctx.queued, ctx.now, job.lane).filter((j) => j.id !== job.id && compareDispatchOrder(j, job) < 0);
  if (ahead.length >= free) return { kind: 'behindInQueue', lane: job.lane, aheadJobIds: ahead.map((j) => j.id) };
  return { kind: 'startingSoon' };
}
