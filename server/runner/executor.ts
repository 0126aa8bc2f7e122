import type { StageType } from '../domain/jobs/types.js';
import type { ClaimedItem, StoredJob, StoredStage } from './store.js';

/** Bytes of the current item received so far; the runner derives speed and percent. */
export interface ItemProgress {
  readonly bytes: number;
  readonly totalBytes: number | null;
}

/** Why an item's signal was aborted: the runner decides what becomes of the item. */
export type AbortReason = 'pause' | 'cancel' | 'shutdown';

export interface ItemContext {
  readonly job: StoredJob;
  readonly stage: StoredStage;
  readonly item: ClaimedItem;
  /** Aborted on pause, cancel or shutdown (signal.reason is an AbortReason). */
  readonly signal: AbortSignal;
  /** Typed progress report (bytes actually received). */
  progress(p: ItemProgress): void;
}

export type ItemOutcome =
  | { readonly status: 'succeeded'; readonly bytes?: number; /** A task's typed result, kept on the job. */ readonly result?: Record<string, unknown> }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: string; readonly code?: string };

/** The work of one item; pluggable so the runner can be tested with any behaviour. */
export type ItemHandler = (ctx: ItemContext) => Promise<ItemOutcome>;

/** Items a stage should have before its workers start (e.g. the songs a download stage fetches). */
export type ItemPlanner = (job: StoredJob, stage: StoredStage) => Promise<{ itemKey: string; label?: string | null; payload?: Record<string, unknown> | null }[]>;

export interface StageExecutor {
  readonly stageType: StageType;
  /** How many item workers run this stage of one job at once. */
  readonly workers: number;
  readonly plan?: ItemPlanner;
  readonly handle: ItemHandler;
}

export type StageExecutors = Readonly<Record<StageType, StageExecutor>>;

/** A stage that cannot run for a reason it can name (a missing setting …): the job fails with the message, logged as a warning, not as a crash. */
export class StageRefusedError extends Error {
  override name = 'StageRefusedError';
}
