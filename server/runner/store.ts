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
}

export interface StoredJob {
  id: number;
  jobType: JobType;
  status: JobStatus;
  lane: Lane;
  scope: JobScope;
}

export interface StoredStage {
  id: number;
  stageType: StageType;
  seq: number;
  status: StageStatus;
}

export interface QueuedJobRow {
  id: number;
  lane: Lane;
  priority: number;
  createdAt: Date;
  notBefore: Date | null;
}

export interface WorkerState {
  status?: 'idle' | 'busy';
  stageId?: number | null;
  currentItemId?: number | null;
  currentDisplayText?: string | null;
  heartbeatAt?: Date | null;
  /** Adds one to the slot's processed (succeeded) or error count. */
  countProcessed?: boolean;
  countError?: boolean;
  downloadedBytes?: number;
  totalBytes?: number | null;
  speedBytesPerSec?: number | null;
  progressPercent?: number | null;
}

export interface JobStore {
  laneLimits(): Promise<Record<Lane, number>>;
  queuedJobs(): Promise<QueuedJobRow[]>;
  runningCounts(): Promise<Record<Lane, number>>;
  /** precondition: queued, and the lane below `limit`. */
  claimJob(id: number, lane: Lane, limit: number, owner: string): Promise<boolean>;
  findJob(id: number): Promise<StoredJob | null>;
  stagesOf(jobId: number): Promise<StoredStage[]>;
  /** precondition: status ∈ from. */
  transitionJob(id: number, from: readonly JobStatus[], to: JobStatus, patch?: { finishedAt?: Date | null; error?: string | null; owner?: string | null }): Promise<boolean>;
  transitionStage(id: number, from: readonly StageStatus[], to: StageStatus, patch?: { startedAt?: Date | null; finishedAt?: Date | null }): Promise<boolean>;
  addItems(jobId: number, stageId: number, items: readonly { itemKey: string; label?: string | null; payload?: Record<string, unknown> | null }[]): Promise<void>;
  claimItem(stageId: number, workerName: string): Promise<ClaimedItem | null>;
  finishItem(itemId: number, workerName: string, to: ItemStatus, patch?: { lastError?: string | null; lastErrorCode?: string | null; nextAttemptAt?: Date | null; doneBytes?: number; totalBytes?: number | null }): Promise<boolean>;
  releaseItem(itemId: number, workerName: string, doneBytes?: number): Promise<boolean>;
  heartbeat(itemIds: readonly number[]): Promise<void>;
  stageItemCounts(stageId: number): Promise<Record<ItemStatus, number>>;
  cancelPendingItems(jobId: number): Promise<void>;
  saveWorker(jobId: number, workerName: string, state: WorkerState): Promise<void>;
  addEvent(jobId: number, kind: string, data?: Record<string, unknown> | null): Promise<void>;
  recoverOrphans(isOrphan: { ownerNot: string }): Promise<number[]>;
}
