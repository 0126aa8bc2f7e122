import type { ItemStatus, JobStatus, JobType, Lane, StageStatus, StageType } from '../domain/jobs/types.js';
import type { JobScope } from '../domain/jobs/scope.js';

/** What the runner is handed to persist work (it knows no SQL); app.ts wires the repository. */
export interface ClaimedItem {
  id: number;
  jobId: number;
  stageId: number;
  itemKey: string;
  label: string | null;
  payload: Record<string, unknown> | null;
  attempts: number;
  doneBytes: number;
  /** The worker slot that holds it. */
  workerName: string;
}

/** How a held item ends: a final status, or back to pending (a checkpoint keeping its bytes). */
export interface ItemEnd {
  itemId: number;
  workerName: string;
  status: Exclude<ItemStatus, 'running'>;
  lastError?: string | null;
  lastErrorCode?: string | null;
  nextAttemptAt?: Date | null;
  doneBytes?: number;
}

/** Up to workerNames.length due items of a stage, one for each named worker slot. */
export interface ClaimRequest {
  stageId: number;
  workerNames: readonly string[];
}

export interface StoredJob {
  id: number;
  jobType: JobType;
  status: JobStatus;
  lane: Lane;
  scope: JobScope;
  /** A task job's parameters (validated when the job was created). */
  params?: Record<string, unknown> | null;
}

/** A job just claimed, with the stage its claim started (null when it has none left to run). */
export interface ClaimedJob extends StoredJob {
  stage: StoredStage | null;
}

export interface StoredStage {
  id: number;
  stageType: StageType;
  seq: number;
  status: StageStatus;
  totalItems: number;
}

export interface QueuedJobRow {
  id: number;
  lane: Lane;
  priority: number;
  createdAt: Date;
  notBefore: Date | null;
}

/** A worker slot's whole live state; processed / errors are counted since the last write. */
export interface WorkerSnapshot {
  jobId: number;
  workerName: string;
  stageId: number | null;
  status: 'idle' | 'busy';
  currentItemId: number | null;
  currentDisplayText: string | null;
  heartbeatAt: Date | null;
  downloadedBytes: number;
  totalBytes: number | null;
  speedBytesPerSec: number | null;
  progressPercent: number | null;
  processedDelta: number;
  errorDelta: number;
}

export interface JobStore {
  laneLimits(): Promise<Record<Lane, number>>;
  queuedJobs(): Promise<QueuedJobRow[]>;
  runningCounts(): Promise<Record<Lane, number>>;
  /**
   * precondition: queued, its turn in its lane, and the lane below its limit. Returns the job
   * started, with its next stage started by the same write (what startNextStage would start)
   * and its 'started' event written.
   */
  claimJob(id: number, owner: string): Promise<ClaimedJob | null>;
  findJob(id: number): Promise<StoredJob | null>;
  stagesOf(jobId: number): Promise<StoredStage[]>;
  /** precondition: status ∈ from. */
  transitionJob(id: number, from: readonly JobStatus[], to: JobStatus, patch?: { finishedAt?: Date | null; error?: string | null; owner?: string | null; result?: Record<string, unknown> | null }): Promise<boolean>;
  transitionStage(id: number, from: readonly StageStatus[], to: StageStatus, patch?: { startedAt?: Date | null; finishedAt?: Date | null }): Promise<boolean>;
  /** Every stage of the job whose status ∈ from goes to `to` (one guarded write); how many. */
  transitionStages(jobId: number, from: readonly StageStatus[], to: StageStatus, patch?: { finishedAt?: Date | null }): Promise<number>;
  /** The job's first stage (by seq) that is pending or paused becomes running; returns it, or null when none is left. */
  startNextStage(jobId: number): Promise<StoredStage | null>;
  /**
   * Adds items to a stage (existing keys are kept). The first claimFor.length items go straight
   * to those worker slots, held and running (the k-th to the k-th name); returns them.
   */
  addItems(
    jobId: number,
    stageId: number,
    items: readonly { itemKey: string; label?: string | null; payload?: Record<string, unknown> | null }[],
    claimFor?: readonly string[],
  ): Promise<ClaimedItem[]>;
  /**
   * Ends held items (each only while its slot still holds it), then claims due items for the
   * requests, as one transaction: returns the ids that ended and the items claimed.
   */
  exchangeItems(ends: readonly ItemEnd[], claims: readonly ClaimRequest[]): Promise<{ ended: ReadonlySet<number>; claimed: ClaimedItem[] }>;
  /** Refreshes the heartbeat of running items and of the jobs this runner owns. */
  heartbeat(itemIds: readonly number[], jobIds?: readonly number[]): Promise<void>;
  stageItemCounts(stageId: number): Promise<Record<ItemStatus, number>>;
  /** Failed items back to pending (stages reopened; with reopenJob a finished job queues again); how many. */
  retryFailedItems(jobId: number, reopenJob: boolean): Promise<number>;
  cancelPendingItems(jobId: number): Promise<void>;
  /** Writes worker slots' live state (inserting new slots), adding their processed / error deltas. */
  saveWorkers(workers: readonly WorkerSnapshot[]): Promise<void>;
  addEvent(jobId: number, kind: string, data?: Record<string, unknown> | null): Promise<void>;
  recoverOrphans(isOrphan: { ownerNot: string }): Promise<number[]>;
}
