import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { JobScope } from '../../domain/jobs/scope.js';
import type { ItemStatus, JobStatus, JobType, Lane, StageStatus, StageType } from '../../domain/jobs/types.js';

/**
 * One run of a job type (seed: job_runs). Its status changes only through guarded writes;
 * `owner` and `ownerHeartbeatAt` tell crash recovery whether a live runner holds it.
 */
export const JobRunSchema = defineEntity({
  name: 'JobRun',
  tableName: 'job_runs',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    jobType: p.string().length(32).$type<JobType>(),
    status: p.string().length(24).$type<JobStatus>(),
    lane: p.string().length(16).$type<Lane>(),
    /** Lower runs first (seed: ORDER BY priority ASC, created_at ASC, id ASC). */
    priority: p.integer(),
    requestedBy: p.string().length(64).nullable(),
    /** The settings the job was created with, so a later change does not alter a running job. */
    configSnapshot: p.json<Record<string, unknown>>(),
    scope: p.json<JobScope>(),
    /** Generic task parameters and result (seed background-task-worker). */
    params: p.json<Record<string, unknown>>().nullable(),
    /** The stages to create, in order, written with the job: a trigger inserts them (and the 'created' event) in the same statement. */
    stagePlan: p.json<StageType[]>().nullable(),
    result: p.json<Record<string, unknown>>().nullable(),
    error: p.text().nullable(),
    createdAt: p.datetime(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    updatedAt: p.datetime(),
    /** Do not start before (a re-queued job backing off). */
    notBefore: p.datetime().nullable(),
    /** The runner process that owns the job while it runs. */
    owner: p.string().length(64).nullable(),
    ownerHeartbeatAt: p.datetime().nullable(),
  }),
  indexes: [
    { name: 'job_runs_dispatch_idx', properties: ['status', 'lane', 'priority', 'createdAt', 'id'] },
    { name: 'job_runs_owner_idx', properties: ['status', 'ownerHeartbeatAt'] },
  ],
});
export type JobRunRow = InferEntity<typeof JobRunSchema>;

/** One stage of a job, in sequence, with its item counts kept up to date by the runner. */
export const JobStageSchema = defineEntity({
  name: 'JobStage',
  tableName: 'job_stages',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    job: p.manyToOne(JobRunSchema).deleteRule('cascade').index(),
    stageType: p.string().length(16).$type<StageType>(),
    /** Position in the job's stage sequence, from 0. */
    seq: p.integer(),
    status: p.string().length(24).$type<StageStatus>(),
    totalItems: p.integer().default(0),
    succeededItems: p.integer().default(0),
    failedItems: p.integer().default(0),
    skippedItems: p.integer().default(0),
    canceledItems: p.integer().default(0),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['job', 'seq'] }],
});
export type JobStageRow = InferEntity<typeof JobStageSchema>;

/** One unit of work of a stage (a playlist to sync, a song to download …). */
export const JobItemSchema = defineEntity({
  name: 'JobItem',
  tableName: 'job_items',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    job: p.manyToOne(JobRunSchema).deleteRule('cascade'),
    stage: p.manyToOne(JobStageSchema).deleteRule('cascade'),
    /** Identifies the item within its stage, e.g. "song:42"; unique per stage. */
    itemKey: p.string().length(200),
    status: p.string().length(16).$type<ItemStatus>(),
    /** Display text such as "Song / Artist". */
    label: p.string().length(500).nullable(),
    payload: p.json<Record<string, unknown>>().nullable(),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().nullable(),
    lastError: p.text().nullable(),
    lastErrorCode: p.string().length(64).nullable(),
    workerName: p.string().length(32).nullable(),
    heartbeatAt: p.datetime().nullable(),
    /** Bytes already on disk: a resumed download continues from here. */
    doneBytes: p.bigint('number').default(0),
    totalBytes: p.bigint('number').nullable(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['stage', 'itemKey'] }],
  indexes: [
    { name: 'job_items_claim_idx', properties: ['stage', 'status', 'id'] },
    // Every index holding status is rewritten on each claim and end (the hot path): only these
    // two; stale-heartbeat and due-retry lookups go through the job (job_status_idx).
    { name: 'job_items_job_status_idx', properties: ['job', 'status'] },
  ],
});
export type JobItemRow = InferEntity<typeof JobItemSchema>;

/** An item worker slot of a job (download-1, general-2) with its live throughput. */
export const JobWorkerSchema = defineEntity({
  name: 'JobWorker',
  tableName: 'job_workers',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    job: p.manyToOne(JobRunSchema).deleteRule('cascade'),
    stage: p.manyToOne(JobStageSchema).deleteRule('cascade').nullable(),
    workerName: p.string().length(32),
    /** idle | busy */
    status: p.string().length(16),
    currentItem: p.manyToOne(JobItemSchema).deleteRule('set null').nullable(),
    currentDisplayText: p.string().length(500).nullable(),
    heartbeatAt: p.datetime().nullable(),
    processedCount: p.integer().default(0),
    errorCount: p.integer().default(0),
    downloadedBytes: p.bigint('number').default(0),
    totalBytes: p.bigint('number').nullable(),
    /** Smoothed from bytes actually received; null when no rate is known. */
    speedBytesPerSec: p.double().nullable(),
    progressPercent: p.double().nullable(),
    updatedAt: p.datetime(),
  }),
  uniques: [{ properties: ['job', 'workerName'] }],
});
export type JobWorkerRow = InferEntity<typeof JobWorkerSchema>;

/** A control a client asked for; the runner that owns the job applies it. */
export const JobCommandSchema = defineEntity({
  name: 'JobCommand',
  tableName: 'job_commands',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    job: p.manyToOne(JobRunSchema).deleteRule('cascade'),
    /** pause | resume | cancel | retry_failed_items */
    command: p.string().length(32),
    /** pending | applied | rejected */
    status: p.string().length(16),
    requestedBy: p.string().length(64).nullable(),
    clientAddress: p.string().length(64).nullable(),
    requestedAt: p.datetime(),
    appliedAt: p.datetime().nullable(),
    detail: p.text().nullable(),
  }),
  indexes: [{ name: 'job_commands_pending_idx', properties: ['job', 'status'] }],
});
export type JobCommandRow = InferEntity<typeof JobCommandSchema>;

/** What happened to a job, in order: facts (kind + data), not display text. */
export const JobEventSchema = defineEntity({
  name: 'JobEvent',
  tableName: 'job_events',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    job: p.manyToOne(JobRunSchema).deleteRule('cascade'),
    at: p.datetime(),
    kind: p.string().length(48),
    data: p.json<Record<string, unknown>>().nullable(),
  }),
  indexes: [{ name: 'job_events_job_idx', properties: ['job', 'id'] }],
});
export type JobEventRow = InferEntity<typeof JobEventSchema>;

/** Lane concurrency limits, changeable live and persisted. */
export const LaneSchema = defineEntity({
  name: 'Lane',
  tableName: 'lanes',
  properties: (p) => ({
    name: p.string().length(16).primary().$type<Lane>(),
    concurrency: p.integer(),
  }),
});
export type LaneRow = InferEntity<typeof LaneSchema>;
