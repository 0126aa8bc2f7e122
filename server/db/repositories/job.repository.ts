import type { EntityManager } from '@mikro-orm/sqlite';
import type { JobScope } from '../../domain/jobs/scope.js';
import type { ClaimedItem, JobStore, QueuedJobRow, WorkerState } from '../../runner/store.js';
import type { ItemStatus, JobStatus, JobType, Lane, StageStatus, StageType } from '../../domain/jobs/types.js';
import {
  JobCommandSchema,
  JobEventSchema,
  JobItemSchema,
  JobRunSchema,
  JobStageSchema,
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

export interface TaskCenterPage {
  jobs: JobRunRow[];
  stagesByJob: Map<number, JobStageRow[]>;
  workersByJob: Map<number, JobWorkerRow[]>;
  hasNextPage: boolean;
}

type JobPatch = Partial<Pick<JobRunRow, 'startedAt' | 'finishedAt' | 'error' | 'owner' | 'ownerHeartbeatAt' | 'notBefore' | 'result'>>;
type ItemPatch = Partial<Pick<JobItemRow, 'lastError' | 'lastErrorCode' | 'nextAttemptAt' | 'finishedAt' | 'doneBytes' | 'totalBytes'>>;

/** The stage counter column an item's final status adds to. */
const COUNTER: Partial<Record<ItemStatus, string>> = {
  succeeded: 'succeeded_items',
  failed: 'failed_items',
  skipped: 'skipped_items',
  canceled: 'canceled_items',
};

interface RawClaimed {
  id: number;
  job_id: number;
  stage_id: number;
  item_key: string;
  label: string | null;
  payload: string | null;
  attempts: number;
  done_bytes: number;
}

/**
 * Persistence of the task center. Every status change is one guarded write (compare-and-set
 * on the current status); zero rows changed means another actor won and nothing happened.
 */
export class JobRepository implements JobStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * Runs `fn` in a transaction on a fork, with explicit begin/commit. MikroORM's transactional()
   * keeps its context in an AsyncLocalStorage, and on Node 20 the first AsyncLocalStorage.run()
   * turns on promise hooks for the whole process: every promise afterwards is slower (measured:
   * the subscription fan-out went from 1.4x to 1.7x the bare broadcast, bench/fanout.ts).
   */
  private async inTransaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const em = this.em.fork();
    await em.begin();
    // committed on the connection: em.commit() flushes through a UnitOfWork that also enters an
    // AsyncLocalStorage, and nothing here is tracked by the unit of work anyway
    const ctx = em.getTransactionContext();
    const conn = em.getConnection();
    try {
      const result = await fn(em);
      await conn.commit(ctx);
      return result;
    } catch (err) {
      await conn.rollback(ctx);
      throw err;
    }
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
    const rows = await this.em.fork().find(LaneSchema, {});
    return Object.fromEntries(rows.map((r) => [r.name, r.concurrency])) as Record<Lane, number>;
  }

  async setLaneConcurrency(lane: Lane, concurrency: number): Promise<boolean> {
    return (await this.em.fork().nativeUpdate(LaneSchema, { name: lane }, { concurrency })) === 1;
  }

  /** Inserts a queued job and its pending stages in one transaction; returns the job id. */
  async createJob(job: NewJob, now = new Date()): Promise<number> {
    return this.inTransaction(async (em) => {
      const id = await em.insert(JobRunSchema, {
        jobType: job.jobType,
        status: 'queued',
        lane: job.lane,
        priority: job.priority,
        requestedBy: job.requestedBy,
        configSnapshot: job.configSnapshot,
        scope: job.scope,
        params: job.params ?? null,
        createdAt: now,
        updatedAt: now,
      });
      await em.insertMany(
        JobStageSchema,
        job.stages.map((stageType, seq) => ({ job: id, stageType, seq, status: 'pending' as StageStatus })),
      );
      return id as number;
    });
  }

  /** Adds items to a stage (an existing key is kept as it is) and recounts the stage's total. */
  async addItems(jobId: number, stageId: number, items: readonly NewItem[]): Promise<void> {
    await this.inTransaction(async (em) => {
      if (items.length > 0) {
        await em
          .createQueryBuilder(JobItemSchema)
          .insert(
            items.map((i) => ({
              job: jobId,
              stage: stageId,
              itemKey: i.itemKey,
              label: i.label ?? null,
              payload: i.payload ?? null,
              status: 'pending' as ItemStatus,
            })),
          )
          .onConflict(['stage', 'itemKey'])
          .ignore()
          .execute();
      }
      await em
        .getConnection()
        .execute(
          'update job_stages set total_items = (select count(*) from job_items where stage_id = ?) where id = ?',
          [stageId, stageId],
          'run',
          em.getTransactionContext(),
        );
    });
  }

  async findJob(id: number): Promise<JobRunRow | null> {
    return this.em.fork().findOne(JobRunSchema, { id });
  }

  async stagesOf(jobId: number): Promise<JobStageRow[]> {
    return this.em.fork().find(JobStageSchema, { job: jobId }, { orderBy: { seq: 'asc' } });
  }

  /** precondition: status ∈ from. */
  async transitionJob(id: number, from: readonly JobStatus[], to: JobStatus, patch: JobPatch = {}, now = new Date()): Promise<boolean> {
    const n = await this.em.fork().nativeUpdate(JobRunSchema, { id, status: { $in: [...from] } }, { ...patch, status: to, updatedAt: now });
    return n === 1;
  }

  /** precondition: status ∈ from. */
  async transitionStage(id: number, from: readonly StageStatus[], to: StageStatus, patch: Partial<Pick<JobStageRow, 'startedAt' | 'finishedAt'>> = {}): Promise<boolean> {
    const n = await this.em.fork().nativeUpdate(JobStageSchema, { id, status: { $in: [...from] } }, { ...patch, status: to });
    return n === 1;
  }

  /**
   * Starts a queued job for `owner` only while its lane has a free slot: the lane count and the
   * status check are in the same UPDATE, so no interleaving (or second process) can overfill a
   * lane. precondition: status = 'queued' and fewer than `limit` jobs of the lane hold a slot.
   */
  async claimJob(id: number, lane: Lane, limit: number, owner: string, now = new Date()): Promise<boolean> {
    const t = now.getTime();
    const res = (await this.em.fork().getConnection().execute(
      `update job_runs set status = 'running', owner = ?, owner_heartbeat_at = ?, started_at = coalesce(started_at, ?), updated_at = ?
       where id = ? and status = 'queued' and lane = ?
         and (select count(*) from job_runs where lane = ? and status in ('running', 'pause_requested')) < ?`,
      [owner, t, t, t, id, lane, lane, limit],
      'run',
    )) as { affectedRows?: number; changes?: number };
    return (res.affectedRows ?? res.changes ?? 0) === 1;
  }

  /**
   * Claims the next pending item of a stage that is due, for one worker: one UPDATE whose
   * WHERE re-checks status = 'pending', so two workers can never hold the same item.
   */
  async claimItem(stageId: number, workerName: string, now = new Date()): Promise<ClaimedItem | null> {
    const t = now.getTime();
    const rows = (await this.em.fork().getConnection().execute(
      `update job_items set status = 'running', worker_name = ?, heartbeat_at = ?, started_at = coalesce(started_at, ?)
       where id = (select id from job_items where stage_id = ? and status = 'pending'
                   and (next_attempt_at is null or next_attempt_at <= ?) order by id limit 1)
         and status = 'pending'
       returning id, job_id, stage_id, item_key, label, payload, attempts, done_bytes`,
      [workerName, t, t, stageId, t],
      'all',
    )) as RawClaimed[];
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      jobId: r.job_id,
      stageId: r.stage_id,
      itemKey: r.item_key,
      label: r.label,
      payload: r.payload ? (JSON.parse(r.payload) as Record<string, unknown>) : null,
      attempts: r.attempts,
      doneBytes: Number(r.done_bytes),
    };
  }

  /**
   * Ends a running item held by `workerName` and counts it on its stage, in one transaction.
   * precondition: status = 'running' and worker_name = workerName.
   */
  async finishItem(itemId: number, workerName: string, to: ItemStatus, patch: ItemPatch = {}, now = new Date()): Promise<boolean> {
    const counter = COUNTER[to];
    return this.inTransaction(async (em) => {
      const n = await em.nativeUpdate(
        JobItemSchema,
        { id: itemId, status: 'running', workerName },
        { ...patch, status: to, finishedAt: patch.finishedAt ?? now, heartbeatAt: null, workerName: null },
      );
      if (n !== 1) return false;
      if (counter) {
        await em
          .getConnection()
          .execute(
            `update job_stages set ${counter} = ${counter} + 1 where id = (select stage_id from job_items where id = ?)`,
            [itemId],
            'run',
            em.getTransactionContext(),
          );
      }
      return true;
    });
  }

  /** Puts a running item back to pending (a checkpoint on pause or shutdown), keeping its bytes. */
  async releaseItem(itemId: number, workerName: string, doneBytes?: number): Promise<boolean> {
    const n = await this.em
      .fork()
      .nativeUpdate(
        JobItemSchema,
        { id: itemId, status: 'running', workerName },
        { status: 'pending', workerName: null, heartbeatAt: null, ...(doneBytes === undefined ? {} : { doneBytes }) },
      );
    return n === 1;
  }

  /** Status counts of a stage's items (one statement). */
  async stageItemCounts(stageId: number): Promise<Record<ItemStatus, number>> {
    const rows = (await this.em
      .fork()
      .getConnection()
      .execute(`select status, count(*) as n from job_items where stage_id = ? group by status`, [stageId], 'all')) as {
      status: ItemStatus;
      n: number;
    }[];
    const out: Record<ItemStatus, number> = { pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, canceled: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  /** Cancels a job's pending items and recounts its stages' counters, in one transaction. */
  async cancelPendingItems(jobId: number, now = new Date()): Promise<void> {
    await this.inTransaction(async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      await conn.execute(`update job_items set status = 'canceled', finished_at = ? where job_id = ? and status = 'pending'`, [now.getTime(), jobId], 'run', ctx);
      await conn.execute(
        `update job_stages set canceled_items = (select count(*) from job_items i where i.stage_id = job_stages.id and i.status = 'canceled')
         where job_id = ?`,
        [jobId],
        'run',
        ctx,
      );
    });
  }

  /** Saves a worker slot's live state (insert on first use). */
  async saveWorker(
    jobId: number,
    workerName: string,
    state: WorkerState,
    now = new Date(),
  ): Promise<void> {
    const { stageId, currentItemId, countProcessed, countError, ...rest } = state;
    const changes = {
      ...rest,
      ...(stageId === undefined ? {} : { stage: stageId }),
      ...(currentItemId === undefined ? {} : { currentItem: currentItemId }),
      updatedAt: now,
    };
    // Only the fields given change: a progress report must not reset the slot's status.
    await this.em
      .fork()
      .createQueryBuilder(JobWorkerSchema)
      .insert({ job: jobId, workerName, status: 'idle', ...changes })
      .onConflict(['job', 'workerName'])
      .merge(Object.keys(changes) as never)
      .execute();
    if (countProcessed || countError) {
      const column = countProcessed ? 'processed_count' : 'error_count';
      await this.em
        .fork()
        .getConnection()
        .execute(`update job_workers set ${column} = ${column} + 1 where job_id = ? and worker_name = ?`, [jobId, workerName], 'run');
    }
  }

  async addEvent(jobId: number, kind: string, data: Record<string, unknown> | null = null, now = new Date()): Promise<void> {
    await this.em.fork().insert(JobEventSchema, { job: jobId, at: now, kind, data });
  }

  /**
   * Crash recovery for jobs whose owner is gone: running items go back to pending (attempt
   * counted), running stages to pending, running jobs to queued and pausing jobs to paused; the
   * jobs' worker slots are reset. One transaction; returns the ids of the jobs it moved.
   */
  async recoverOrphans(isOrphan: { ownerNot: string } | { heartbeatBefore: Date }, now = new Date()): Promise<number[]> {
    return this.inTransaction(async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      const where =
        'ownerNot' in isOrphan
          ? { sql: `(owner is null or owner <> ?)`, arg: isOrphan.ownerNot as string | number }
          : { sql: `(owner_heartbeat_at is null or owner_heartbeat_at < ?)`, arg: isOrphan.heartbeatBefore.getTime() };
      const jobs = (await conn.execute(
        `select id, status from job_runs where status in ('running', 'pause_requested') and ${where.sql}`,
        [where.arg],
        'all',
        ctx,
      )) as { id: number; status: JobStatus }[];
      if (jobs.length === 0) return [];
      const ids = jobs.map((j) => j.id);
      const marks = ids.map(() => '?').join(', ');
      const t = now.getTime();
      await conn.execute(
        `update job_items set status = 'pending', worker_name = null, heartbeat_at = null, attempts = attempts + 1
         where job_id in (${marks}) and status = 'running'`,
        ids,
        'run',
        ctx,
      );
      await conn.execute(`update job_stages set status = 'pending' where job_id in (${marks}) and status = 'running'`, ids, 'run', ctx);
      await conn.execute(
        `update job_runs set status = case status when 'running' then 'queued' else 'paused' end, owner = null, owner_heartbeat_at = null, updated_at = ?
         where id in (${marks}) and status in ('running', 'pause_requested')`,
        [t, ...ids],
        'run',
        ctx,
      );
      await conn.execute(
        `update job_workers set status = 'idle', current_item_id = null, current_display_text = null, speed_bytes_per_sec = null where job_id in (${marks})`,
        ids,
        'run',
        ctx,
      );
      return ids;
    });
  }

  async heartbeat(itemIds: readonly number[], now = new Date()): Promise<void> {
    if (itemIds.length === 0) return;
    await this.em.fork().nativeUpdate(JobItemSchema, { id: { $in: [...itemIds] }, status: 'running' }, { heartbeatAt: now });
  }

  /** Running items whose heartbeat is older than `cutoff` go back to pending, the attempt counted. */
  async reclaimStaleItems(cutoff: Date): Promise<number> {
    const res = (await this.em.fork().getConnection().execute(
      `update job_items set status = 'pending', worker_name = null, heartbeat_at = null, attempts = attempts + 1
       where status = 'running' and (heartbeat_at is null or heartbeat_at < ?)`,
      [cutoff.getTime()],
      'run',
    )) as { affectedRows?: number; changes?: number };
    return res.affectedRows ?? res.changes ?? 0;
  }

  async queuedJobs(): Promise<QueuedJobRow[]> {
    const rows = await this.em
      .fork()
      // No ORDER BY: sorting by id would make SQLite walk the whole table in id order instead of
      // using the status index; the dispatch rule orders the (few) queued jobs itself.
      .find(JobRunSchema, { status: 'queued' }, { fields: ['id', 'lane', 'priority', 'createdAt', 'notBefore'] });
    return rows.map((r) => ({ id: r.id, lane: r.lane, priority: r.priority, createdAt: r.createdAt, notBefore: r.notBefore ?? null }));
  }

  /** Jobs holding a lane slot (running or pausing), with their lanes. */
  async runningJobs(): Promise<{ id: number; lane: Lane; jobType: JobType }[]> {
    return ((await this.em
      .fork()
      .getConnection()
      .execute(`select id, lane, job_type as jobType from job_runs where status in ('running', 'pause_requested')`, [], 'all')) as {
      id: number;
      lane: Lane;
      jobType: JobType;
    }[]).sort((a, b) => a.id - b.id); // sorted here: an ORDER BY id would bypass the status index
  }

  /** Queued and pausing jobs per lane, for the lanes view (one statement). */
  async laneCounts(): Promise<{ lane: Lane; running: number; queued: number }[]> {
    return (await this.em
      .fork()
      .getConnection()
      .execute(
        `select lane, sum(status in ('running', 'pause_requested')) as running, sum(status = 'queued') as queued from job_runs group by lane`,
        [],
        'all',
      )) as { lane: Lane; running: number; queued: number }[];
  }

  /**
   * Puts a job's failed items back to pending (due now) and reopens what they need, in one
   * transaction: stages that ended failed, with errors or skipped go back to pending, and a
   * finished job (failed / completed_with_errors) queues again. Returns how many items.
   */
  async retryFailedItems(jobId: number, reopenJob: boolean, now = new Date(), onlyDue = false): Promise<number> {
    return this.inTransaction(async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      // onlyDue: the retry scheduler takes retryable items whose backoff has elapsed; a person takes all
      const due = onlyDue ? ' and next_attempt_at is not null and next_attempt_at <= ?' : '';
      const res = (await conn.execute(
        `update job_items set status = 'pending', next_attempt_at = null, finished_at = null where job_id = ? and status = 'failed'${due}`,
        onlyDue ? [jobId, now.getTime()] : [jobId],
        'run',
        ctx,
      )) as { affectedRows?: number; changes?: number };
      const n = res.affectedRows ?? res.changes ?? 0;
      if (n === 0) return 0;
      await conn.execute(
        `update job_stages set failed_items = (select count(*) from job_items i where i.stage_id = job_stages.id and i.status = 'failed'),
           status = case when status in ('failed', 'completed_with_errors', 'skipped') then 'pending' else status end,
           finished_at = case when status in ('failed', 'completed_with_errors', 'skipped') then null else finished_at end
         where job_id = ?`,
        [jobId],
        'run',
        ctx,
      );
      if (reopenJob) {
        await conn.execute(
          `update job_runs set status = 'queued', finished_at = null, updated_at = ? where id = ? and status in ('failed', 'completed_with_errors')`,
          [now.getTime(), jobId],
          'run',
          ctx,
        );
      }
      return n;
    });
  }

  /** Finished jobs (failed / completed_with_errors) with failed items whose retry is due. */
  async jobsWithDueRetries(now = new Date()): Promise<number[]> {
    const rows = (await this.em.fork().getConnection().execute(
      `select distinct i.job_id as id from job_items i join job_runs j on j.id = i.job_id
       where i.status = 'failed' and i.next_attempt_at is not null and i.next_attempt_at <= ?
         and j.status in ('failed', 'completed_with_errors') order by i.job_id`,
      [now.getTime()],
      'all',
    )) as { id: number }[];
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
    const rows = (await this.em
      .fork()
      .getConnection()
      .execute(`select lane, count(*) as n from job_runs where status in ('running', 'pause_requested') group by lane`, [], 'all')) as {
      lane: Lane;
      n: number;
    }[];
    const out: Record<Lane, number> = { download: 0, general: 0 };
    for (const r of rows) out[r.lane] = r.n;
    return out;
  }

  /**
   * A page of the task center, newest first: three statements whatever the page size (jobs,
   * then the stages and the workers of those jobs), never one query per row.
   */
  async taskCenterPage(first: number, afterId: number | null): Promise<TaskCenterPage> {
    const em = this.em.fork();
    const jobs = await em.find(JobRunSchema, afterId === null ? {} : { id: { $lt: afterId } }, { orderBy: { id: 'desc' }, limit: first + 1 });
    const hasNextPage = jobs.length > first;
    const page = jobs.slice(0, first);
    const ids = page.map((j) => j.id);
    const stagesByJob = new Map<number, JobStageRow[]>(ids.map((id) => [id, []]));
    const workersByJob = new Map<number, JobWorkerRow[]>(ids.map((id) => [id, []]));
    if (ids.length > 0) {
      const [stages, workers] = await Promise.all([
        em.find(JobStageSchema, { job: { $in: ids } }, { orderBy: { job: 'asc', seq: 'asc' } }),
        em.find(JobWorkerSchema, { job: { $in: ids } }, { orderBy: { job: 'asc', workerName: 'asc' } }),
      ]);
      for (const s of stages) stagesByJob.get(jobIdOf(s.job))?.push(s);
      for (const w of workers) workersByJob.get(jobIdOf(w.job))?.push(w);
    }
    return { jobs: page, stagesByJob, workersByJob, hasNextPage };
  }
}

/** The id behind a many-to-one reference, without loading it. */
function jobIdOf(ref: unknown): number {
  return typeof ref === 'number' ? ref : (ref as { id: number }).id;
}
