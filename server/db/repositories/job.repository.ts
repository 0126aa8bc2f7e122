import type { EntityManager } from '@mikro-orm/sqlite';
import { statementsOf, type SqlValue, type Statements } from '../statements.js';
import type { JobScope } from '../../domain/jobs/scope.js';
import type { ClaimedItem, ClaimedJob, ClaimRequest, ItemEnd, JobStore, QueuedJobRow, StoredStage, WorkerSnapshot } from '../../runner/store.js';
import type { ItemStatus, JobStatus, JobType, Lane, StageStatus, StageType } from '../../domain/jobs/types.js';
import { JOB_REMOVABLE_STATUSES } from '../../domain/jobs/job-states.js';
import {
  JobCommandSchema,
  JobEventSchema,
  JobItemSchema,
  JobRunSchema,
  JobWorkerSchema,
  LaneSchema,
  type JobItemRow,
  type JobRunRow,
  type JobStageRow,
  type JobWorkerRow,
} from '../entities/job.entity.js';

export interface NewJob {
  jobType: JobType;
  lane: Lane;
  priority: number;
  stages: readonly StageType[];
  scope: JobScope;
  requestedBy: string | null;
  configSnapshot: Record<string, unknown>;
  params?: Record<string, unknown> | null;
}

export interface NewItem {
  itemKey: string;
  label?: string | null;
  payload?: Record<string, unknown> | null;
}

/**
 * The task center's read path works on plain rows read with raw SQL and mapped by hand: hydrating
 * entities (identity map, per-instance property definitions, references) cost several times the
 * SQL itself (bench/jobs-query.ts). Only the columns a row shows are read.
 */
export interface TaskJobRow {
  id: number;
  jobType: JobType;
  status: JobStatus;
  lane: Lane;
  priority: number;
  scope: JobScope;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  notBefore: Date | null;
}

export interface TaskStageRow {
  stageType: StageType;
  status: StageStatus;
  totalItems: number;
  succeededItems: number;
  failedItems: number;
  skippedItems: number;
  canceledItems: number;
}

export interface TaskWorkerRow {
  workerName: string;
  status: string;
  currentDisplayText: string | null;
  heartbeatAt: Date | null;
  processedCount: number;
  errorCount: number;
  downloadedBytes: number;
  totalBytes: number | null;
  speedBytesPerSec: number | null;
  progressPercent: number | null;
}

export interface TaskCenterPage {
  jobs: TaskJobRow[];
  stagesByJob: Map<number, TaskStageRow[]>;
  workersByJob: Map<number, TaskWorkerRow[]>;
  hasNextPage: boolean;
  /** Read with the jobs, in the same statement: queue positions and waiting reasons agree with the rows. */
  dispatch: DispatchSnapshot;
}

/** What queue positions and waiting reasons need: queued jobs, the jobs holding lane slots, lane limits. */
export interface DispatchSnapshot {
  queued: QueuedJobRow[];
  /** Running or pausing jobs, by id. */
  running: { id: number; lane: Lane }[];
  limits: Record<Lane, number>;
}

type JobPatch = Partial<Pick<JobRunRow, 'startedAt' | 'finishedAt' | 'error' | 'owner' | 'ownerHeartbeatAt' | 'notBefore' | 'result'>>;
type StagePatch = Partial<Pick<JobStageRow, 'startedAt' | 'finishedAt'>>;

/** The columns a transition may set besides the status, by property (values stored as the ORM stores them). */
const JOB_PATCH_COLUMNS: Readonly<Record<keyof JobPatch, string>> = {
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  error: 'error',
  owner: 'owner',
  ownerHeartbeatAt: 'owner_heartbeat_at',
  notBefore: 'not_before',
  result: 'result',
};
const STAGE_PATCH_COLUMNS: Readonly<Record<keyof StagePatch, string>> = { startedAt: 'started_at', finishedAt: 'finished_at' };

/** `, column = ?` for each property the patch sets (an undefined property is left alone), with the values. */
function assignments<P extends object>(patch: P, columns: Readonly<Record<keyof P, string>>): { sql: string; values: SqlValue[] } {
  let sql = '';
  const values: SqlValue[] = [];
  for (const key of Object.keys(columns) as (keyof P)[]) {
    const v: unknown = patch[key];
    if (v === undefined) continue;
    sql += `, ${columns[key]} = ?`;
    values.push(v instanceof Date ? v.getTime() : v === null || typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v));
  }
  return { sql, values };
}

export interface StageCounts extends StoredStage {
  succeededItems: number;
  failedItems: number;
  skippedItems: number;
  canceledItems: number;
}

interface RawStage {
  id: number;
  stage_type: StageType;
  seq: number;
  status: StageStatus;
  total_items: number;
}

function storedStage(r: RawStage): StoredStage {
  return { id: r.id, stageType: r.stage_type, seq: r.seq, status: r.status, totalItems: r.total_items };
}

interface RawClaimed {
  id: number;
  job_id: number;
  stage_id: number;
  item_key: string;
  label: string | null;
  payload: string | null;
  attempts: number;
  done_bytes: number;
  worker_name: string;
}

function claimedItem(r: RawClaimed): ClaimedItem {
  return {
    id: r.id,
    jobId: r.job_id,
    stageId: r.stage_id,
    itemKey: r.item_key,
    label: r.label,
    payload: r.payload ? (JSON.parse(r.payload) as Record<string, unknown>) : null,
    attempts: r.attempts,
    doneBytes: Number(r.done_bytes),
    workerName: r.worker_name,
  };
}

/** The statuses a job may be deleted in, as SQL literals (from the domain's table, not user input). */
const REMOVABLE_SQL = JOB_REMOVABLE_STATUSES.map((st) => `'${st}'`).join(', ');

/**
 * Persistence of the task center. Every status change is one guarded write (compare-and-set
 * on the current status); zero rows changed means another actor won and nothing happened.
 */
export class JobRepository implements JobStore {
  /**
   * The runner's and the task center's statements, prepared once (see statements.ts: a fraction of
   * the ORM's cost per statement). Transactions are explicit BEGIN IMMEDIATE … COMMIT there:
   * MikroORM's transactional() keeps its context in an AsyncLocalStorage, and on Node 20 the first
   * AsyncLocalStorage.run() turns on promise hooks for the whole process, which made every promise
   * slower (the subscription fan-out went from 1.4x to 1.7x the bare broadcast, bench/fanout.ts).
   */
  private readonly sql: Statements;
  /** The read connection (query_only): pages and rows never wait behind the runner's writes. */
  private readonly readSql: Statements;

  constructor(private readonly em: EntityManager) {
    this.sql = statementsOf(em.getConnection().getKnex());
    this.readSql = statementsOf(em.getConnection('read').getKnex());
  }

  /** Creates the lanes with default limits; existing limits are kept. */
  async ensureLanes(defaults: Readonly<Record<Lane, number>>): Promise<void> {
    await this.em
      .fork()
      .createQueryBuilder(LaneSchema)
      .insert(Object.entries(defaults).map(([name, concurrency]) => ({ name: name as Lane, concurrency })))
      .onConflict('name')
      .ignore()
      .execute();
  }

  async laneLimits(): Promise<Record<Lane, number>> {
    const rows = await this.sql.all<{ name: Lane; concurrency: number }>(`select name, concurrency from lanes`);
    return Object.fromEntries(rows.map((r) => [r.name, r.concurrency])) as Record<Lane, number>;
  }

  async setLaneConcurrency(lane: Lane, concurrency: number): Promise<boolean> {
    return (await this.em.fork().nativeUpdate(LaneSchema, { name: lane }, { concurrency })) === 1;
  }

  /**
   * Inserts a queued job in one statement: its stage plan goes with it, and a trigger inserts the
   * pending stages and the 'created' event (migration 20261130043212); returns the job id.
   */
  async createJob(job: NewJob, now = new Date()): Promise<number> {
    const t = now.getTime();
    const [row] = await this.sql.all<{ id: number }>(
      `insert into job_runs (job_type, status, lane, priority, requested_by, config_snapshot, scope, params, stage_plan, created_at, updated_at)
       values (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      [job.jobType, job.lane, job.priority, job.requestedBy, JSON.stringify(job.configSnapshot), JSON.stringify(job.scope), jsonOrNull(job.params), JSON.stringify(job.stages), t, t],
    );
    return row!.id;
  }

  /**
   * Adds items to a stage (an existing key is kept as it is); the stage's total follows by
   * trigger. With `claimFor`, the first items go straight to those worker slots (k-th item to the
   * k-th name, inserted running and held, as exchangeItems would claim them) and come back: a
   * stage that plans its items starts its first ones without a second statement.
   */
  async addItems(jobId: number, stageId: number, items: readonly NewItem[], claimFor: readonly string[] = [], now = new Date()): Promise<ClaimedItem[]> {
    if (items.length === 0) return [];
    const t = now.getTime();
    const rows = await this.sql.all<Omit<RawClaimed, 'worker_name'> & { worker_name: string | null }>(
      `insert into job_items (job_id, stage_id, item_key, label, payload, status, worker_name, heartbeat_at, started_at)
       select ?, ?, i.value ->> 'key', i.value ->> 'label', i.value ->> 'payload',
              case when n.value is null then 'pending' else 'running' end, n.value,
              case when n.value is null then null else ? end, case when n.value is null then null else ? end
       from json_each(?) as i left join json_each(?) as n on n.key = i.key where true
       on conflict (stage_id, item_key) do nothing
       returning id, job_id, stage_id, item_key, label, payload, attempts, done_bytes, worker_name, status`,
      [jobId, stageId, t, t, JSON.stringify(items.map((i) => ({ key: i.itemKey, label: i.label ?? null, payload: jsonOrNull(i.payload) }))), JSON.stringify(claimFor)],
    );
    return rows
      .filter((r): r is RawClaimed => r.worker_name !== null)
      .map(claimedItem)
      .sort((a, b) => a.id - b.id);
  }

  async findJob(id: number): Promise<JobRunRow | null> {
    return this.em.fork().findOne(JobRunSchema, { id });
  }

  /** A job's stages in order, with their item counters. */
  async stagesOf(jobId: number): Promise<StageCounts[]> {
    const rows = await this.sql.all<RawStage & { succeeded_items: number; failed_items: number; skipped_items: number; canceled_items: number }>(
      `select id, stage_type, seq, status, total_items, succeeded_items, failed_items, skipped_items, canceled_items from job_stages where job_id = ? order by seq`,
      [jobId],
    );
    return rows.map((r) => ({
      ...storedStage(r),
      succeededItems: r.succeeded_items,
      failedItems: r.failed_items,
      skippedItems: r.skipped_items,
      canceledItems: r.canceled_items,
    }));
  }

  /** precondition: status ∈ from. */
  async transitionJob(id: number, from: readonly JobStatus[], to: JobStatus, patch: JobPatch = {}, now = new Date()): Promise<boolean> {
    const set = assignments(patch, JOB_PATCH_COLUMNS);
    const n = await this.sql.run(
      `update job_runs set status = ?, updated_at = ?${set.sql} where id = ? and status in (select value from json_each(?))`,
      [to, now.getTime(), ...set.values, id, JSON.stringify(from)],
    );
    return n === 1;
  }

  /** precondition: status ∈ from. */
  async transitionStage(id: number, from: readonly StageStatus[], to: StageStatus, patch: StagePatch = {}): Promise<boolean> {
    const set = assignments(patch, STAGE_PATCH_COLUMNS);
    const n = await this.sql.run(`update job_stages set status = ?${set.sql} where id = ? and status in (select value from json_each(?))`, [
      to,
      ...set.values,
      id,
      JSON.stringify(from),
    ]);
    return n === 1;
  }

  /** precondition: the stage's status ∈ from, for every stage of the job it changes. */
  async transitionStages(jobId: number, from: readonly StageStatus[], to: StageStatus, patch: Pick<StagePatch, 'finishedAt'> = {}): Promise<number> {
    const set = assignments(patch, STAGE_PATCH_COLUMNS);
    return this.sql.run(`update job_stages set status = ?${set.sql} where job_id = ? and status in (select value from json_each(?))`, [
      to,
      ...set.values,
      jobId,
      JSON.stringify(from),
    ]);
  }

  /**
   * Starts the job's next stage: the first by seq that is pending or paused becomes running, in
   * one guarded write that returns it (null when no stage is left to run).
   */
  async startNextStage(jobId: number, now = new Date()): Promise<StoredStage | null> {
    const rows = await this.sql.all<RawStage>(
      `update job_stages set status = 'running', started_at = coalesce(started_at, ?)
       where id = (select id from job_stages where job_id = ? and status in ('pending', 'paused') order by seq limit 1)
         and status in ('pending', 'paused')
       returning id, stage_type, seq, status, total_items`,
      [now.getTime(), jobId],
    );
    return rows[0] ? storedStage(rows[0]) : null;
  }

  /**
   * Starts a queued job for `owner`, and returns it, only while its lane has a free slot (limit
   * read from the lanes table) and no queued job of the lane that may start is ahead of it in
   * dispatch order (priority, created_at, id): the lane count, the order and the status check
   * are in the same UPDATE, so no interleaving (or second process) can overfill a lane or start
   * jobs out of order. The same statement starts the job's next stage and writes its 'started'
   * event (trigger job_runs_claim_starts_stage, migration 20261130090000); the stage comes back
   * with the job. precondition: status = 'queued', its turn, and a free slot in its lane.
   */
  async claimJob(id: number, owner: string, now = new Date()): Promise<ClaimedJob | null> {
    const t = now.getTime();
    const rows = await this.sql.all<{ id: number; job_type: JobType; status: JobStatus; lane: Lane; scope: string; params: string | null; stage: string | null }>(
      `update job_runs set status = 'running', owner = ?, owner_heartbeat_at = ?, started_at = coalesce(started_at, ?), updated_at = ?
       where id = ? and status = 'queued' and (not_before is null or not_before <= ?)
         and (select count(*) from job_runs r where r.lane = job_runs.lane and r.status in ('running', 'pause_requested'))
             < (select concurrency from lanes where name = job_runs.lane)
         and not exists (select 1 from job_runs q where q.status = 'queued' and q.lane = job_runs.lane
               and (q.not_before is null or q.not_before <= ?)
               and (q.priority, q.created_at, q.id) < (job_runs.priority, job_runs.created_at, job_runs.id))
       returning id, job_type, status, lane, scope, params,
         (select json_object('id', s.id, 'stage_type', s.stage_type, 'seq', s.seq, 'status', s.status, 'total_items', s.total_items)
            from job_stages s where s.job_id = job_runs.id and s.status = 'running' order by s.seq limit 1) as stage`,
      [owner, t, t, t, id, t, t],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      jobType: r.job_type,
      status: r.status,
      lane: r.lane,
      scope: JSON.parse(r.scope) as JobScope,
      params: r.params === null ? null : (JSON.parse(r.params) as Record<string, unknown>),
      stage: r.stage === null ? null : storedStage(JSON.parse(r.stage) as RawStage),
    };
  }

  /**
   * Ends held items and claims new ones in ONE statement, whatever the number of items: the
   * runner batches the item traffic of all its workers through here.
   * - An end applies only while the item is running and held by the named slot (compare-and-set).
   * - A claim takes up to workerNames.length due pending items of the stage in id order, giving
   *   the k-th one to the k-th slot; the WHERE re-checks status = 'pending', so two slots (or two
   *   processes) never hold the same item.
   * - The stage counters follow every status change by trigger (migration 20261130010000).
   */
  async exchangeItems(ends: readonly ItemEnd[], claims: readonly ClaimRequest[], now = new Date()): Promise<{ ended: ReadonlySet<number>; claimed: ClaimedItem[] }> {
    const wanted = claims.filter((c) => c.workerNames.length > 0);
    if (ends.length === 0 && wanted.length === 0) return { ended: new Set(), claimed: [] };
    const t = now.getTime();
    const endsJson = JSON.stringify(
      ends.map((e) => ({
        id: e.itemId,
        worker: e.workerName,
        status: e.status,
        lastError: e.lastError ?? null,
        lastErrorCode: e.lastErrorCode ?? null,
        nextAttemptAt: e.nextAttemptAt?.getTime() ?? null,
        doneBytes: e.doneBytes ?? null,
      })),
    );
    // one arm per stage: its first n due pending items (an item being ended is never among them)
    // the names go in as one flat array read once; the arm of stage g numbers its rows from base
    let base = 0;
    const arms = wanted.map((c, g) => {
      const arm = `select ${g} as g, ${base} as base, id from (select id from job_items where stage_id = ? and status = 'pending'
           and (next_attempt_at is null or next_attempt_at <= ?) and id not in (select id from e) order by id limit ?)`;
      base += c.workerNames.length;
      return arm;
    });
    const claimCte = arms.length > 0 ? arms.join(' union all ') : 'select null, null, null where false';
    const rows = await this.sql.all<RawClaimed & { status: ItemStatus }>(
      `with e(id, worker, status, last_error, last_error_code, next_attempt_at, done_bytes) as (
         select value ->> 'id', value ->> 'worker', value ->> 'status', value ->> 'lastError', value ->> 'lastErrorCode',
                value ->> 'nextAttemptAt', value ->> 'doneBytes' from json_each(?)),
       p(g, base, id) as (${claimCte}),
       names(idx, name) as materialized (select key, value from json_each(?)),
       numbered(id, idx) as (select id, base + row_number() over (partition by g order by id) - 1 from p),
       todo(id, claim, worker, status, last_error, last_error_code, next_attempt_at, done_bytes) as (
         select id, 0, worker, status, last_error, last_error_code, next_attempt_at, done_bytes from e
         union all
         select numbered.id, 1, names.name, 'running', null, null, null, null from numbered join names on names.idx = numbered.idx)
       update job_items set
         status = todo.status,
         worker_name = case when todo.claim then todo.worker end,
         heartbeat_at = case when todo.claim then ? end,
         started_at = case when todo.claim then coalesce(job_items.started_at, ?) else job_items.started_at end,
         finished_at = case when todo.claim or todo.status = 'pending' then null else ? end,
         done_bytes = coalesce(todo.done_bytes, job_items.done_bytes),
         last_error = case when todo.status = 'failed' then todo.last_error else job_items.last_error end,
         last_error_code = case when todo.status = 'failed' then todo.last_error_code else job_items.last_error_code end,
         next_attempt_at = case when todo.status = 'failed' then todo.next_attempt_at else job_items.next_attempt_at end
       from todo
       where job_items.id = todo.id
         and case when todo.claim then job_items.status = 'pending'
                  else job_items.status = 'running' and job_items.worker_name = todo.worker end
       returning job_items.id, job_items.job_id, job_items.stage_id, job_items.item_key, job_items.label, job_items.payload,
                 job_items.attempts, job_items.done_bytes, job_items.worker_name, job_items.status`,
      [endsJson, ...wanted.flatMap((c) => [c.stageId, t, c.workerNames.length]), JSON.stringify(wanted.flatMap((c) => c.workerNames)), t, t, t],
    );
    // RETURNING cannot name the FROM side: a row now running was claimed, any other one ended
    const ended = new Set<number>();
    const claimed: ClaimedItem[] = [];
    for (const r of rows) {
      if (r.status === 'running') claimed.push(claimedItem(r));
      else ended.add(r.id);
    }
    return { ended, claimed: claimed.sort((a, b) => a.id - b.id) };
  }

  /** One slot claims the next due item of a stage (exchangeItems for one). */
  async claimItem(stageId: number, workerName: string, now = new Date()): Promise<ClaimedItem | null> {
    return (await this.exchangeItems([], [{ stageId, workerNames: [workerName] }], now)).claimed[0] ?? null;
  }

  /** Ends one held item (exchangeItems for one); false when the slot no longer holds it. */
  async finishItem(itemId: number, workerName: string, to: ItemEnd['status'], patch: Omit<ItemEnd, 'itemId' | 'workerName' | 'status'> = {}, now = new Date()): Promise<boolean> {
    return (await this.exchangeItems([{ itemId, workerName, status: to, ...patch }], [], now)).ended.has(itemId);
  }

  /** Status counts of a stage's items (one statement). */
  async stageItemCounts(stageId: number): Promise<Record<ItemStatus, number>> {
    const rows = await this.sql.all<{ status: ItemStatus; n: number }>(`select status, count(*) as n from job_items where stage_id = ? group by status`, [stageId]);
    const out: Record<ItemStatus, number> = { pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, canceled: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  /** Cancels a job's pending items (the stage counters follow by trigger). */
  async cancelPendingItems(jobId: number, now = new Date()): Promise<void> {
    await this.sql.run(`update job_items set status = 'canceled', finished_at = ? where job_id = ? and status = 'pending'`, [now.getTime(), jobId]);
  }

  /**
   * Writes worker slots' whole live state in one statement (a slot is inserted on first use);
   * processed / error counts are added, since the runner counts them between writes.
   */
  async saveWorkers(workers: readonly WorkerSnapshot[], now = new Date()): Promise<void> {
    if (workers.length === 0) return;
    const json = JSON.stringify(
      workers.map((w) => ({
        job: w.jobId,
        name: w.workerName,
        stage: w.stageId,
        status: w.status,
        item: w.currentItemId,
        text: w.currentDisplayText,
        hb: w.heartbeatAt?.getTime() ?? null,
        bytes: w.downloadedBytes,
        total: w.totalBytes,
        speed: w.speedBytesPerSec,
        pct: w.progressPercent,
        processed: w.processedDelta,
        errors: w.errorDelta,
      })),
    );
    await this.sql.run(
      `insert into job_workers (job_id, worker_name, stage_id, status, current_item_id, current_display_text, heartbeat_at,
         downloaded_bytes, total_bytes, speed_bytes_per_sec, progress_percent, processed_count, error_count, updated_at)
       select w.value ->> 'job', w.value ->> 'name', w.value ->> 'stage', w.value ->> 'status', w.value ->> 'item', w.value ->> 'text',
         w.value ->> 'hb', w.value ->> 'bytes', w.value ->> 'total', w.value ->> 'speed', w.value ->> 'pct',
         w.value ->> 'processed', w.value ->> 'errors', ?
       from json_each(?) as w where true
       on conflict (job_id, worker_name) do update set
         stage_id = excluded.stage_id, status = excluded.status, current_item_id = excluded.current_item_id,
         current_display_text = excluded.current_display_text, heartbeat_at = excluded.heartbeat_at,
         downloaded_bytes = excluded.downloaded_bytes, total_bytes = excluded.total_bytes,
         speed_bytes_per_sec = excluded.speed_bytes_per_sec, progress_percent = excluded.progress_percent,
         processed_count = job_workers.processed_count + excluded.processed_count,
         error_count = job_workers.error_count + excluded.error_count, updated_at = excluded.updated_at`,
      [now.getTime(), json],
    );
  }

  async addEvent(jobId: number, kind: string, data: Record<string, unknown> | null = null, now = new Date()): Promise<void> {
    await this.sql.run(`insert into job_events (job_id, at, kind, data) values (?, ?, ?, ?)`, [jobId, now.getTime(), kind, jsonOrNull(data)]);
  }

  /**
   * Crash recovery for jobs whose owner is gone: running items go back to pending (attempt
   * counted), running stages to pending, running jobs to queued and pausing jobs to paused; the
   * jobs' worker slots are reset. One transaction; returns the ids of the jobs it moved.
   */
  async recoverOrphans(isOrphan: { ownerNot: string } | { heartbeatBefore: Date }, now = new Date()): Promise<number[]> {
    return this.sql.transaction(async (sql) => {
      const where =
        'ownerNot' in isOrphan
          ? { sql: `(owner is null or owner <> ?)`, arg: isOrphan.ownerNot as string | number }
          : { sql: `(owner_heartbeat_at is null or owner_heartbeat_at < ?)`, arg: isOrphan.heartbeatBefore.getTime() };
      const jobs = await sql.all<{ id: number; status: JobStatus }>(
        `select id, status from job_runs where status in ('running', 'pause_requested') and ${where.sql}`,
        [where.arg],
      );
      if (jobs.length === 0) return [];
      const ids = jobs.map((j) => j.id);
      const marks = ids.map(() => '?').join(', ');
      const t = now.getTime();
      await sql.run(
        `update job_items set status = 'pending', worker_name = null, heartbeat_at = null, attempts = attempts + 1
         where job_id in (${marks}) and status = 'running'`,
        ids,
      );
      await sql.run(`update job_stages set status = 'pending' where job_id in (${marks}) and status = 'running'`, ids);
      await sql.run(
        `update job_runs set status = case status when 'running' then 'queued' else 'paused' end, owner = null, owner_heartbeat_at = null, updated_at = ?
         where id in (${marks}) and status in ('running', 'pause_requested')`,
        [t, ...ids],
      );
      await sql.run(
        `update job_workers set status = 'idle', current_item_id = null, current_display_text = null, speed_bytes_per_sec = null where job_id in (${marks})`,
        ids,
      );
      return ids;
    });
  }

  async heartbeat(itemIds: readonly number[], jobIds: readonly number[] = [], now = new Date()): Promise<void> {
    const t = now.getTime();
    if (itemIds.length > 0) {
      await this.sql.run(`update job_items set heartbeat_at = ? where status = 'running' and id in (select value from json_each(?))`, [t, JSON.stringify(itemIds)]);
    }
    if (jobIds.length > 0) {
      await this.sql.run(`update job_runs set owner_heartbeat_at = ? where id in (select value from json_each(?))`, [t, JSON.stringify(jobIds)]);
    }
  }

  /** Running items whose heartbeat is older than `cutoff` go back to pending, the attempt counted. */
  async reclaimStaleItems(cutoff: Date): Promise<number> {
    return this.sql.run(
      // running items belong to unfinished jobs: found through the few of those (job_items has no
      // index on status alone, so that claims and ends keep fewer indexes up to date)
      `update job_items set status = 'pending', worker_name = null, heartbeat_at = null, attempts = attempts + 1
       where job_id in (select id from job_runs where status in ('queued', 'running', 'pause_requested', 'paused'))
         and status = 'running' and (heartbeat_at is null or heartbeat_at < ?)`,
      [cutoff.getTime()],
    );
  }

  async queuedJobs(): Promise<QueuedJobRow[]> {
    const rows = await this.sql.all<{ id: number; lane: Lane; priority: number; created_at: number | string; not_before: number | string | null }>(
      // No ORDER BY: sorting by id would make SQLite walk the whole table in id order instead of
      // using the status index; the dispatch rule orders the (few) queued jobs itself.
      `select id, lane, priority, created_at, not_before from job_runs where status = 'queued'`,
    );
    return rows.map((r) => ({ id: r.id, lane: r.lane, priority: r.priority, createdAt: dateOf(r.created_at) as Date, notBefore: dateOf(r.not_before) }));
  }

  /** Jobs holding a lane slot (running or pausing), with their lanes. */
  async runningJobs(): Promise<{ id: number; lane: Lane; jobType: JobType }[]> {
    return (
      await this.sql.all<{ id: number; lane: Lane; jobType: JobType }>(`select id, lane, job_type as jobType from job_runs where status in ('running', 'pause_requested')`)
    ).sort((a, b) => a.id - b.id); // sorted here: an ORDER BY id would bypass the status index
  }

  /** Whether a job of this type asked for by `requestedBy` is queued, running or paused. */
  async hasLiveJob(jobType: JobType, requestedBy: string): Promise<boolean> {
    const rows = await this.sql.all<{ id: number }>(
      `select id from job_runs where status in ('queued', 'running', 'pause_requested', 'paused') and job_type = ? and requested_by = ? limit 1`,
      [jobType, requestedBy],
    );
    return rows.length > 0;
  }

  /** Queued and pausing jobs per lane, for the lanes view (one statement). */
  async laneCounts(): Promise<{ lane: Lane; running: number; queued: number }[]> {
    return this.sql.all<{ lane: Lane; running: number; queued: number }>(
      `select lane, sum(status in ('running', 'pause_requested')) as running, sum(status = 'queued') as queued from job_runs group by lane`,
    );
  }

  /**
   * Puts a job's failed items back to pending (due now) and reopens what they need, in one
   * transaction: stages that ended failed, with errors or skipped go back to pending, and a
   * finished job (failed / completed_with_errors) queues again. Returns how many items.
   */
  async retryFailedItems(jobId: number, reopenJob: boolean, now = new Date(), onlyDue = false): Promise<number> {
    return this.sql.transaction(async (sql) => {
      // onlyDue: the retry scheduler takes retryable items whose backoff has elapsed; a person takes all
      const due = onlyDue ? ' and next_attempt_at is not null and next_attempt_at <= ?' : '';
      const n = await sql.run(
        // an automatic retry counts as an attempt (the backoff and the limit read it); a person's does not
        `update job_items set status = 'pending', next_attempt_at = null, finished_at = null${onlyDue ? ', attempts = attempts + 1' : ''}
         where job_id = ? and status = 'failed'${due}`,
        onlyDue ? [jobId, now.getTime()] : [jobId],
      );
      if (n === 0) return 0;
      await sql.run(
        `update job_stages set status = case when status in ('failed', 'completed_with_errors', 'skipped') then 'pending' else status end,
           finished_at = case when status in ('failed', 'completed_with_errors', 'skipped') then null else finished_at end
         where job_id = ?`,
        [jobId],
      );
      if (reopenJob) {
        await sql.run(
          `update job_runs set status = 'queued', finished_at = null, updated_at = ? where id = ? and status in ('failed', 'completed_with_errors')`,
          [now.getTime(), jobId],
        );
      }
      return n;
    });
  }

  /** Finished jobs (failed / completed_with_errors) with failed items whose retry is due. */
  async jobsWithDueRetries(now = new Date()): Promise<number[]> {
    const rows = await this.sql.all<{ id: number }>(
      `select j.id from job_runs j
       where j.status in ('failed', 'completed_with_errors')
         and exists (select 1 from job_items i where i.job_id = j.id and i.status = 'failed'
                     and i.next_attempt_at is not null and i.next_attempt_at <= ?)
       order by j.id`,
      [now.getTime()],
    );
    return rows.map((r) => r.id);
  }

  /** Records a control a client asked for; the runner applies it and settles the row. */
  async recordCommand(jobId: number, command: string, clientAddress: string | null, now = new Date()): Promise<number> {
    return (await this.em.fork().insert(JobCommandSchema, {
      job: jobId,
      command,
      status: 'pending',
      clientAddress,
      requestedAt: now,
    })) as number;
  }

  /** precondition: status = 'pending'. */
  async settleCommand(id: number, status: 'applied' | 'rejected', detail: string | null, now = new Date()): Promise<boolean> {
    return (await this.em.fork().nativeUpdate(JobCommandSchema, { id, status: 'pending' }, { status, detail, appliedAt: now })) === 1;
  }

  /**
   * Deletes a job the runner is done with, in one guarded statement: only while its status is
   * final (JOB_REMOVABLE_STATUSES). Its stages, items, worker slots, events and commands go with
   * it by their ON DELETE CASCADE foreign keys. False when no such job (gone, or not final).
   * precondition: status ∈ JOB_REMOVABLE_STATUSES.
   */
  async deleteJob(id: number): Promise<boolean> {
    return (await this.sql.run(`delete from job_runs where id = ? and status in (${REMOVABLE_SQL})`, [id])) === 1;
  }

  /**
   * Retention: deletes up to `limit` finished jobs (final status) that finished before `cutoff`,
   * oldest first, in one statement (cascading like deleteJob). Returns the jobs deleted, as their
   * rows were: their ids, and what a REMOVED event carries. A job that never started and was
   * canceled counts from its finish; one without a finish time from its last update.
   */
  async deleteFinishedBefore(cutoff: Date, limit: number): Promise<TaskJobRow[]> {
    if (limit <= 0) return [];
    const rows = await this.sql.all<JsonTaskJob>(
      `with expired(id) as (select id from job_runs where status in (${REMOVABLE_SQL}) and coalesce(finished_at, updated_at) < ?
                            order by coalesce(finished_at, updated_at), id limit ?)
       delete from job_runs where id in (select id from expired) and status in (${REMOVABLE_SQL})
       returning id, job_type as jobType, status, lane, priority, scope, error, created_at as createdAt,
                 started_at as startedAt, finished_at as finishedAt, not_before as notBefore`,
      [cutoff.getTime(), limit],
    );
    return rows.map(taskJobRow).sort((a, b) => a.id - b.id);
  }

  /** Download items that ended, over every job still kept (the stage counters, kept by triggers); one statement. */
  async downloadTotals(): Promise<{ succeeded: number; failed: number }> {
    const [r] = await this.sql.all<{ succeeded: number | null; failed: number | null }>(
      `select sum(succeeded_items) as succeeded, sum(failed_items) as failed from job_stages where stage_type = 'download'`,
    );
    return { succeeded: Number(r?.succeeded ?? 0), failed: Number(r?.failed ?? 0) };
  }

  /** How many jobs deleteFinishedBefore(cutoff, ∞) would delete now (what a dry run reports). */
  async countFinishedBefore(cutoff: Date): Promise<number> {
    const [r] = await this.sql.all<{ n: number }>(`select count(*) as n from job_runs where status in (${REMOVABLE_SQL}) and coalesce(finished_at, updated_at) < ?`, [
      cutoff.getTime(),
    ]);
    return Number(r?.n ?? 0);
  }

  /** A page of a job's items in id order (keyset: after the given id), optionally of one status. */
  async itemsPage(jobId: number, first: number, afterId: number | null, status: ItemStatus | null): Promise<{ items: JobItemRow[]; hasNextPage: boolean }> {
    const where = {
      job: jobId,
      ...(afterId === null ? {} : { id: { $gt: afterId } }),
      ...(status === null ? {} : { status }),
    };
    const rows = await this.em.fork().find(JobItemSchema, where, { orderBy: { id: 'asc' }, limit: first + 1, populate: ['stage'] });
    return { items: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** The latest events of a job, oldest first. */
  async eventsOf(jobId: number, last: number): Promise<{ at: Date; kind: string; data: Record<string, unknown> | null }[]> {
    const rows = await this.em.fork().find(JobEventSchema, { job: jobId }, { orderBy: { id: 'desc' }, limit: last });
    return rows.reverse().map((e) => ({ at: e.at, kind: e.kind, data: e.data ?? null }));
  }

  async workersOf(jobId: number): Promise<JobWorkerRow[]> {
    return this.em.fork().find(JobWorkerSchema, { job: jobId }, { orderBy: { workerName: 'asc' } });
  }

  /** Jobs holding a lane slot, per lane. */
  async runningCounts(): Promise<Record<Lane, number>> {
    const rows = await this.sql.all<{ lane: Lane; n: number }>(`select lane, count(*) as n from job_runs where status in ('running', 'pause_requested') group by lane`);
    const out: Record<Lane, number> = { download: 0, general: 0 };
    for (const r of rows) out[r.lane] = r.n;
    return out;
  }

  /**
   * A page of the task center, newest first: three statements whatever the page size (the jobs
   * with the dispatch state, then the stages and the workers of those jobs), never one query per
   * row. Each statement returns its rows as JSON text (see jsonArray); no entities, no identity map.
   * On the read connection: a page (or a published row) never waits behind the runner's writes.
   */
  async taskCenterPage(first: number, afterId: number | null): Promise<TaskCenterPage> {
    const [head] = await this.readSql.all<{ jobs: string | null; dispatch: string | null; limits: string | null }>(
      `select
         (select ${jsonArray(
           `json_object('id', id, 'jobType', job_type, 'status', status, 'lane', lane, 'priority', priority, 'scope', scope,
              'error', error, 'createdAt', created_at, 'startedAt', started_at, 'finishedAt', finished_at, 'notBefore', not_before)`,
           'id desc',
         )} from (select * from job_runs${afterId === null ? '' : ' where id < ?'} order by id desc limit ?)) as jobs,
         (select ${jsonArray(
           `json_object('id', id, 'lane', lane, 'status', status, 'priority', priority, 'createdAt', created_at, 'notBefore', not_before)`,
           'id',
         )} from job_runs where status in ('queued', 'running', 'pause_requested')) as dispatch,
         (select json_group_object(name, concurrency) from lanes) as limits`,
      afterId === null ? [first + 1] : [afterId, first + 1],
    );
    const jobs = parseRows<JsonTaskJob>(head?.jobs);
    const hasNextPage = jobs.length > first;
    const page = jobs.slice(0, first).map(taskJobRow);
    const ids = page.map((j) => j.id);
    const stagesByJob = new Map<number, TaskStageRow[]>(ids.map((id) => [id, []]));
    const workersByJob = new Map<number, TaskWorkerRow[]>(ids.map((id) => [id, []]));
    if (ids.length > 0) {
      const marks = ids.map(() => '?').join(', ');
      const [stages, workers] = await Promise.all([
        this.readSql.all<{ rows_json: string | null }>(
          `select ${jsonArray(
            `json_object('jobId', job_id, 'stageType', stage_type, 'status', status, 'totalItems', total_items,
               'succeededItems', succeeded_items, 'failedItems', failed_items, 'skippedItems', skipped_items, 'canceledItems', canceled_items)`,
            'job_id, seq',
          )} as rows_json from job_stages where job_id in (${marks})`,
          ids,
        ),
        this.readSql.all<{ rows_json: string | null }>(
          `select ${jsonArray(
            `json_object('jobId', job_id, 'workerName', worker_name, 'status', status, 'currentDisplayText', current_display_text,
               'heartbeatAt', heartbeat_at, 'processedCount', processed_count, 'errorCount', error_count,
               'downloadedBytes', downloaded_bytes, 'totalBytes', total_bytes,
               'speedBytesPerSec', ${realText('speed_bytes_per_sec')}, 'progressPercent', ${realText('progress_percent')})`,
            'job_id, worker_name',
          )} as rows_json from job_workers where job_id in (${marks})`,
          ids,
        ),
      ]);
      for (const s of parseRows<JsonTaskStage>(stages[0]?.rows_json)) stagesByJob.get(s.jobId)?.push(s);
      for (const w of parseRows<JsonTaskWorker>(workers[0]?.rows_json)) workersByJob.get(w.jobId)?.push(taskWorkerRow(w));
    }
    return { jobs: page, stagesByJob, workersByJob, hasNextPage, dispatch: dispatchOf(parseRows<JsonDispatchJob>(head?.dispatch), head?.limits) };
  }
}

// ---- plain rows of the task center's read path ---------------------------------------------------

/**
 * SQL for `object` (a json_object) of every row as one JSON array text, in `orderBy` order; null
 * when there is no row. The read path takes its rows this way and JSON.parses them (parseRows):
 * node-sqlite3 builds every result row as a JS object column by column through N-API, which for
 * the task-center page cost 2–3× one JSON text per statement (e.g. the workers of 50 jobs: 0.83 ms
 * as rows, 0.46 ms as JSON, p50). group_concat, not json_group_array: with an ORDER BY, SQLite
 * 3.44's json_group_array puts its objects in as strings.
 */
function jsonArray(object: string, orderBy: string): string {
  return `'[' || group_concat(${object}, ',' order by ${orderBy}) || ']'`;
}

/** A JSON column's text as the ORM writes it (null stays SQL NULL). */
function jsonOrNull(v: Record<string, unknown> | null | undefined): string | null {
  return v == null ? null : JSON.stringify(v);
}

function parseRows<T>(json: string | null | undefined): T[] {
  return json ? (JSON.parse(json) as T[]) : [];
}

/** Queued jobs (the dispatch rule orders them) and jobs holding lane slots (by id), with the lane limits. */
function dispatchOf(jobs: readonly JsonDispatchJob[], limits: string | null | undefined): DispatchSnapshot {
  const queued: QueuedJobRow[] = [];
  const running: { id: number; lane: Lane }[] = [];
  for (const j of jobs) {
    if (j.status === 'queued') queued.push({ id: j.id, lane: j.lane, priority: j.priority, createdAt: dateOf(j.createdAt) as Date, notBefore: dateOf(j.notBefore) });
    else running.push({ id: j.id, lane: j.lane });
  }
  return { queued, running, limits: (limits ? JSON.parse(limits) : {}) as Record<Lane, number> };
}

/**
 * A REAL column for json_object: SQLite writes a REAL into JSON with 15 significant digits, which
 * does not give the same double back; printf('%!.17g') does, as text (see realOf).
 */
function realText(column: string): string {
  return `iif(${column} is null, null, printf('%!.17g', ${column}))`;
}

function realOf(v: string | null): number | null {
  if (v === null) return null;
  return v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
}

/**
 * A datetime column as the ORM hydrates it: SQLite stores milliseconds since the epoch; a text
 * value without a zone is UTC (forceUtcTimezone).
 */
function dateOf(v: number | string | null): Date | null {
  if (v === null) return null;
  if (typeof v === 'number' || v.includes('+') || v.lastIndexOf('-') > 10 || v.endsWith('Z')) return new Date(v);
  return new Date(`${v}+00:00`);
}

/** A JSON column as the ORM reads it: parsed when it parses, else the text itself. */
function jsonOf<T>(v: string | null): T {
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return v as T;
  }
}

interface JsonTaskJob {
  id: number;
  jobType: JobType;
  status: JobStatus;
  lane: Lane;
  priority: number;
  scope: string | null;
  error: string | null;
  createdAt: number | string;
  startedAt: number | string | null;
  finishedAt: number | string | null;
  notBefore: number | string | null;
}

/** Used as it is parsed (its jobId is only for grouping). */
interface JsonTaskStage extends TaskStageRow {
  jobId: number;
}

interface JsonTaskWorker {
  jobId: number;
  workerName: string;
  status: string;
  currentDisplayText: string | null;
  heartbeatAt: number | string | null;
  processedCount: number;
  errorCount: number;
  downloadedBytes: number;
  totalBytes: number | null;
  speedBytesPerSec: string | null;
  progressPercent: string | null;
}

interface JsonDispatchJob {
  id: number;
  lane: Lane;
  status: JobStatus;
  priority: number;
  createdAt: number | string;
  notBefore: number | string | null;
}

function taskJobRow(r: JsonTaskJob): TaskJobRow {
  return {
    id: r.id,
    jobType: r.jobType,
    status: r.status,
    lane: r.lane,
    priority: r.priority,
    scope: jsonOf<JobScope>(r.scope),
    error: r.error,
    createdAt: dateOf(r.createdAt) as Date,
    startedAt: dateOf(r.startedAt),
    finishedAt: dateOf(r.finishedAt),
    notBefore: dateOf(r.notBefore),
  };
}

function taskWorkerRow(r: JsonTaskWorker): TaskWorkerRow {
  return {
    workerName: r.workerName,
    status: r.status,
    currentDisplayText: r.currentDisplayText,
    heartbeatAt: dateOf(r.heartbeatAt),
    processedCount: r.processedCount,
    errorCount: r.errorCount,
    downloadedBytes: r.downloadedBytes,
    totalBytes: r.totalBytes,
    speedBytesPerSec: realOf(r.speedBytesPerSec),
    progressPercent: realOf(r.progressPercent),
  };
}
