/** The task center's vocabulary: job types, stages, lanes and the statuses of jobs, stages and items. */

/** What a job does; each maps to a fixed stage sequence (catalog.ts). */
export const JOB_TYPES = [
  'catalog_sync',
  'collect_only',
  'sync_only',
  'sync_download',
  'download_only',
  'upload_only',
  'download_upload',
  // typed tasks (seed background-task-worker): one item of work with parameters and a result
  'library_scan',
  'find_duplicates',
] as const;
export type JobType = (typeof JOB_TYPES)[number];

/**
 * One step of a job; a stage is a list of items (playlists to sync, songs to download, …).
 * A `task` stage has one item: the typed task its job type names (tasks.ts).
 */
export const STAGE_TYPES = ['collect', 'sync', 'download', 'upload', 'task'] as const;
export type StageType = (typeof STAGE_TYPES)[number];

/** Where a job waits for a slot: download-class jobs are serialised apart from the rest. */
export const LANES = ['download', 'general'] as const;
export type Lane = (typeof LANES)[number];

export const JOB_STATUSES = [
  'queued',
  'running',
  'pause_requested', // no new items are claimed; in-flight items finish first
  'paused',
  'completed',
  'completed_with_errors',
  'failed',
  'canceled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const STAGE_STATUSES = [
  'pending',
  'running',
  'paused',
  'completed',
  'completed_with_errors',
  'failed',
  'canceled',
  'skipped', // never ran: an earlier stage stopped the job
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

export const ITEM_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'canceled'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/**
 * Failure codes a retry cannot fix: the retry scheduler leaves these items failed. A task whose
 * parameters cannot work (invalid_params) fails the same way every time, and so does a song with
 * nothing to fetch from (no_source) until a search backend is configured.
 */
export const NON_RETRYABLE_CODES = ['file_not_found', 'user_blocked', 'invalid_file', 'invalid_params', 'no_source'] as const;
export type NonRetryableCode = (typeof NON_RETRYABLE_CODES)[number];

// Guards for strings arriving from the API or the database.
export const isJobType = (s: string): s is JobType => (JOB_TYPES as readonly string[]).includes(s);
export const isLane = (s: string): s is Lane => (LANES as readonly string[]).includes(s);
export const isJobStatus = (s: string): s is JobStatus => (JOB_STATUSES as readonly string[]).includes(s);
export const isStageStatus = (s: string): s is StageStatus => (STAGE_STATUSES as readonly string[]).includes(s);
export const isItemStatus = (s: string): s is ItemStatus => (ITEM_STATUSES as readonly string[]).includes(s);
