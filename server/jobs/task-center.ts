import type { Logger } from 'pino';
import { Throttle } from '../daemons/activity-throttle.js';
import type { ItemCounts } from '../domain/jobs/aggregate.js';
import { DEFAULT_LANE_LIMITS, displayName, isValidLaneLimit, laneOf, MAX_LANE_LIMIT, stagesOf } from '../domain/jobs/catalog.js';
import { queuePositions, waitingReason, type QueuedJob, type WaitingReason } from '../domain/jobs/dispatch.js';
import { canCancel, canPause, canRemove, canResume, isJobFinal, retryFailedItemsEffect, type JobControl } from '../domain/jobs/job-states.js';
import { primaryProgress } from '../domain/jobs/progress.js';
import { isTaskType, parseTaskParams, taskParamsOf, taskResultOf, type TaskParamsView, type TaskResultView } from '../domain/jobs/tasks.js';
import { scopeSummary, type ScopeSummary } from '../domain/jobs/scope.js';
import { totalSpeed } from '../domain/downloads/speed-meter.js';
import { downloadSpeed, type DownloadSpeed } from '../domain/downloads/speed-view.js';
import type { ProgressReport } from '../runner/runner.js';
import { LANES, type ItemStatus, type JobStatus, type JobType, type Lane, type StageStatus, type StageType } from '../domain/jobs/types.js';
import type { JobStageRow } from '../db/entities/job.entity.js';
import type { DispatchSnapshot, JobRepository, TaskJobRow, TaskStageRow, TaskWorkerRow } from '../db/repositories/job.repository.js';
import type { EventBus } from '../events/bus.js';
import type { JobRunner } from '../runner/runner.js';

/** Lower runs first; the default leaves room for urgent (lower) and background (higher) jobs. */
export const DEFAULT_PRIORITY = 100;

export interface StageView {
  readonly stageType: StageType;
  readonly status: StageStatus;
  readonly totalItems: number;
  readonly succeededItems: number;
  readonly failedItems: number;
  readonly skippedItems: number;
  readonly canceledItems: number;
}

export interface JobWorkerView {
  readonly name: string;
  readonly status: string;
  readonly currentDisplayText: string | null;
  readonly downloadedBytes: number;
  readonly totalBytes: number | null;
  readonly speedBytesPerSec: number | null;
  readonly progressPercent: number | null;
  readonly processedCount: number;
  readonly errorCount: number;
  readonly heartbeatAt: Date | null;
}

/** One task-center row: facts only; clients word and format them. */
export interface TaskRowView {
  readonly jobId: number;
  readonly jobType: JobType;
  readonly displayName: string;
  readonly status: JobStatus;
  readonly lane: Lane;
  readonly priority: number;
  readonly queuePosition: number | null;
  readonly scopeSummary: ScopeSummary;
  readonly completedItems: number;
  readonly totalItems: number;
  readonly progressPercent: number | null;
  readonly activeWorkerCount: number;
  readonly speedBytesPerSec: number | null;
  readonly canPause: boolean;
  readonly canResume: boolean;
  readonly canCancel: boolean;
  /** Only a finished job can be removed (job-states canRemove). */
  readonly canRemove: boolean;
  readonly waitingReason: WaitingReason | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly error: string | null;
  readonly stages: readonly StageView[];
  readonly workers: readonly JobWorkerView[];
}

/** One item of a job, for the job detail. */
export interface ItemView {
  readonly id: number;
  readonly stageType: StageType;
  readonly itemKey: string;
  readonly label: string | null;
  readonly status: ItemStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly lastError: string | null;
  readonly lastErrorCode: string | null;
  readonly doneBytes: number;
  readonly totalBytes: number | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface LaneView {
  readonly name: Lane;
  readonly limit: number;
  readonly running: number;
  readonly queued: number;
}

export interface TaskRowPage {
  readonly rows: TaskRowView[];
  readonly hasNextPage: boolean;
}

export type TaskCenterError =
  | { kind: 'notFound'; id: number; message: string }
  | { kind: 'invalidTransition'; status: JobStatus; action: string; message: string }
  | { kind: 'invalidArgument'; argument: string; message: string };

export type JobResult = { ok: true; job: TaskRowView } | { ok: false; error: TaskCenterError };

/** removeJob's answer: the row as it was when it went, or why it could not. */
export type RemoveJobResult = { ok: true; removed: TaskRowView } | { ok: false; error: Extract<TaskCenterError, { kind: 'notFound' | 'invalidTransition' }> };

export interface CreateJobInput {
  jobType: JobType;
  playlistIds?: readonly number[] | null;
  /** Playlist sources the job is limited to (when no playlists are chosen). */
  sourceIds?: readonly number[] | null;
  priority?: number | null;
  requestedBy?: string | null;
  /** A task job's parameters (validated against its task type); other job types take none. */
  params?: Record<string, unknown> | null;
}

/** A task job's parameters and, once it has finished, its typed result. */
export interface TaskView {
  readonly params: TaskParamsView | null;
  readonly result: TaskResultView | null;
}

interface DispatchContext {
  now: Date;
  queued: QueuedJob[];
  positions: Map<number, number>;
  runningJobIds: Record<Lane, number[]>;
  limits: Record<Lane, number>;
}

function countsOf(s: TaskStageRow): ItemCounts {
  const finished = s.succeededItems + s.failedItems + s.skippedItems + s.canceledItems;
  return {
    pending: Math.max(0, s.totalItems - finished),
    running: 0,
    succeeded: s.succeededItems,
    failed: s.failedItems,
    skipped: s.skippedItems,
    canceled: s.canceledItems,
  };
}

function stageView(s: TaskStageRow): StageView {
  return {
    stageType: s.stageType,
    status: s.status,
    totalItems: s.totalItems,
    succeededItems: s.succeededItems,
    failedItems: s.failedItems,
    skippedItems: s.skippedItems,
    canceledItems: s.canceledItems,
  };
}

function workerView(w: TaskWorkerRow): JobWorkerView {
  return {
    name: w.workerName,
    status: w.status,
    currentDisplayText: w.currentDisplayText,
    downloadedBytes: w.downloadedBytes,
    totalBytes: w.totalBytes,
    speedBytesPerSec: w.speedBytesPerSec,
    progressPercent: w.progressPercent,
    processedCount: w.processedCount,
    errorCount: w.errorCount,
    heartbeatAt: w.heartbeatAt,
  };
}

/**
 * The task center as the API sees it: creates jobs, applies controls through the runner, and
 * builds rows (a constant number of statements per page) that it publishes when jobs change —
 * at most a few times a second per job, the latest always.
 */
export class TaskCenter {
  private readonly throttles = new Map<number, Throttle<number>>();
  private closed = false;
  /** The latest download figures of each job that reported some and has not ended. */
  private readonly speeds = new Map<number, DownloadSpeed>();
  /** Which of these playlist ids exist (set once playlists are wired; without it ids are not checked). */
  private playlistsExisting: ((ids: readonly number[]) => Promise<ReadonlySet<number>>) | null = null;

  constructor(
    private readonly repo: JobRepository,
    private readonly runner: JobRunner,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly options: { rowMinIntervalMs: number },
  ) {}

  /** The runner's live progress of a job: published as its download figures. */
  progress(report: ProgressReport): void {
    if (this.closed) return;
    const view = downloadSpeed(report.jobId, report.workers, new Date());
    this.speeds.set(report.jobId, view);
    this.bus.publish('download:speed', view, String(report.jobId));
  }

  /** The latest download figures of a job (or of every job transferring), for a subscription's first answer. */
  latestSpeeds(jobId: number | null): DownloadSpeed[] {
    if (jobId !== null) {
      const one = this.speeds.get(jobId);
      return one ? [one] : [];
    }
    return [...this.speeds.values()];
  }

  /** Whether a job of this type asked for by `requestedBy` is still queued, running or paused. */
  hasLiveJob(jobType: JobType, requestedBy: string): Promise<boolean> {
    return this.repo.hasLiveJob(jobType, requestedBy);
  }

  /** Lets createJob refuse unknown playlist ids. */
  checkPlaylistsWith(existing: (ids: readonly number[]) => Promise<ReadonlySet<number>>): void {
    this.playlistsExisting = existing;
  }

  /** Drops pending row publications (before the database closes). */
  close(): void {
    this.closed = true;
    for (const t of this.throttles.values()) t.cancel();
    this.throttles.clear();
  }

  /** Called by the runner on every change of a job: coalesced, then rebuilt and published. */
  jobChanged(jobId: number): void {
    if (this.closed) return;
    this.throttleOf(jobId).push(jobId);
  }

  private throttleOf(jobId: number): Throttle<number> {
    let t = this.throttles.get(jobId);
    if (!t) {
      t = new Throttle<number>(this.options.rowMinIntervalMs, (id) => void this.publishRow(id, 'CHANGED'));
      this.throttles.set(jobId, t);
    }
    return t;
  }

  async createJob(input: CreateJobInput): Promise<JobResult> {
    const ids = input.playlistIds ?? [];
    if (ids.some((id) => !Number.isInteger(id) || id <= 0)) {
      return { ok: false, error: { kind: 'invalidArgument', argument: 'playlistIds', message: 'playlist ids must be positive whole numbers' } };
    }
    const sourceIds = input.sourceIds ?? [];
    if (sourceIds.some((id) => !Number.isInteger(id) || id <= 0)) {
      return { ok: false, error: { kind: 'invalidArgument', argument: 'sourceIds', message: 'source ids must be positive whole numbers' } };
    }
    if (ids.length > 0 && this.playlistsExisting) {
      const known = await this.playlistsExisting(ids);
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length > 0) return { ok: false, error: { kind: 'invalidArgument', argument: 'playlistIds', message: `no such playlist: ${unknown.join(', ')}` } };
    }
    const priority = input.priority ?? DEFAULT_PRIORITY;
    if (!Number.isInteger(priority) || priority < 0 || priority > 1000) {
      return { ok: false, error: { kind: 'invalidArgument', argument: 'priority', message: 'priority must be a whole number from 0 to 1000 (lower runs first)' } };
    }
    let params: Record<string, unknown> | null = null;
    if (isTaskType(input.jobType)) {
      if (ids.length > 0) {
        return { ok: false, error: { kind: 'invalidArgument', argument: 'playlistIds', message: `a ${input.jobType} job takes no playlists` } };
      }
      const parsed = parseTaskParams(input.jobType, input.params);
      if (!parsed.ok) return { ok: false, error: { kind: 'invalidArgument', argument: parsed.field, message: parsed.message } };
      params = { ...parsed.params };
    } else if (input.params != null) {
      return { ok: false, error: { kind: 'invalidArgument', argument: 'params', message: `a ${input.jobType} job takes no task parameters` } };
    }
    const id = await this.repo.createJob({
      jobType: input.jobType,
      lane: laneOf(input.jobType),
      priority,
      stages: stagesOf(input.jobType),
      scope: ids.length > 0 ? { playlistIds: [...ids] } : sourceIds.length > 0 ? { sourceIds: [...sourceIds] } : {},
      requestedBy: input.requestedBy ?? null,
      configSnapshot: {},
      params,
    });
    // first the runner (it may start the job at once), then the row (its 'created' event was written with it)
    this.runner.offer(id);
    // the row goes out now; the job's next changes (it starting at once) follow coalesced
    this.throttleOf(id).noteEmitted();
    return this.resultOf(id, await this.publishRow(id, 'ADDED'));
  }

  /** A task job's typed parameters and result (one statement); null when the job does not exist. */
  async task(jobId: number): Promise<TaskView | null> {
    const job = await this.repo.findJob(jobId);
    if (!job) return null;
    return { params: taskParamsOf(job.jobType, job.params), result: taskResultOf(job.jobType, job.result) };
  }

  /** Records the control (job_commands), has the runner apply it, and settles the record. */
  async control(jobId: number, control: JobControl, clientAddress: string | null = null): Promise<JobResult> {
    const job = await this.repo.findJob(jobId);
    if (!job) return this.notFound(jobId);
    const commandId = await this.repo.recordCommand(jobId, control, clientAddress);
    if (!(await this.runner.control(jobId, control))) {
      const refused = this.refused(job.status, control);
      await this.repo.settleCommand(commandId, 'rejected', refused.ok ? null : refused.error.message);
      return refused;
    }
    await this.repo.settleCommand(commandId, 'applied', null);
    return this.resultOf(jobId, await this.publishRow(jobId, 'CHANGED'));
  }

  /**
   * Removes a finished job and everything under it (one guarded DELETE), then publishes REMOVED
   * with the row as it was. Not recorded in job_commands: that row would go with the job in the
   * same cascade, so the removal is logged instead. The lanes do not change (a finished job holds
   * no lane slot and is not queued), so no lanes event.
   */
  async removeJob(jobId: number, clientAddress: string | null = null): Promise<RemoveJobResult> {
    const row = await this.row(jobId);
    if (!row) return { ok: false, error: { kind: 'notFound', id: jobId, message: `Job ${jobId} not found` } };
    const refuse = (status: JobStatus): RemoveJobResult => ({
      ok: false,
      error: { kind: 'invalidTransition', status, action: 'remove', message: `cannot remove a job that is ${status.replace(/_/g, ' ')}` },
    });
    if (!canRemove(row.status)) return refuse(row.status);
    if (!(await this.repo.deleteJob(jobId))) {
      // another actor won: it was reopened (retry) or removed meanwhile
      const now = await this.repo.findJob(jobId);
      return now ? refuse(now.status) : { ok: false, error: { kind: 'notFound', id: jobId, message: `Job ${jobId} not found` } };
    }
    this.log.info({ jobId, jobType: row.jobType, status: row.status, clientAddress }, 'job removed');
    this.publishRemoved(row);
    return { ok: true, removed: row };
  }

  /**
   * Retention: removes finished jobs that finished more than `olderThanMs` ago, `batch` at a
   * time in single statements, and publishes REMOVED for each. Returns the ids removed.
   */
  async pruneFinished(olderThanMs: number, now = new Date(), batch = 500): Promise<number[]> {
    const cutoff = new Date(now.getTime() - olderThanMs);
    const ids: number[] = [];
    const ctx = this.dispatchContext({ queued: [], running: [], limits: { ...DEFAULT_LANE_LIMITS } });
    for (;;) {
      const gone = await this.repo.deleteFinishedBefore(cutoff, batch);
      // their stages and workers went with them: the rows carry the job's own facts
      for (const j of gone) this.publishRemoved(this.rowOf(j, [], [], ctx));
      ids.push(...gone.map((j) => j.id));
      if (gone.length < batch || this.closed) break;
    }
    if (ids.length > 0) this.log.info({ jobs: ids.length, olderThanMs }, 'finished jobs pruned');
    return ids;
  }

  /** Download items that ended (succeeded, failed) over the jobs kept. */
  downloadTotals(): Promise<{ succeeded: number; failed: number }> {
    return this.repo.downloadTotals();
  }

  /** How many finished jobs pruneFinished would remove now (a dry run). */
  async countFinishedBefore(olderThanMs: number, now = new Date()): Promise<number> {
    return this.repo.countFinishedBefore(new Date(now.getTime() - olderThanMs));
  }

  /** A page of a job's items, for the job detail. */
  async items(jobId: number, first: number, afterId: number | null, status: ItemStatus | null): Promise<{ items: ItemView[]; hasNextPage: boolean }> {
    const page = await this.repo.itemsPage(jobId, first, afterId, status);
    return {
      hasNextPage: page.hasNextPage,
      items: page.items.map((i) => ({
        id: i.id,
        stageType: (i.stage as unknown as JobStageRow).stageType,
        itemKey: i.itemKey,
        label: i.label ?? null,
        status: i.status,
        attempts: i.attempts,
        nextAttemptAt: i.nextAttemptAt ?? null,
        lastError: i.lastError ?? null,
        lastErrorCode: i.lastErrorCode ?? null,
        doneBytes: Number(i.doneBytes),
        totalBytes: i.totalBytes == null ? null : Number(i.totalBytes),
        startedAt: i.startedAt ?? null,
        finishedAt: i.finishedAt ?? null,
      })),
    };
  }

  /** Records the command (job_commands); the runner applies it (see JobRunner.retryFailedItems). */
  async retryFailedItems(jobId: number, clientAddress: string | null = null): Promise<JobResult> {
    const job = await this.repo.findJob(jobId);
    if (!job) return this.notFound(jobId);
    const commandId = await this.repo.recordCommand(jobId, 'retry_failed_items', clientAddress);
    const refuse = async (refused: JobResult): Promise<JobResult> => {
      await this.repo.settleCommand(commandId, 'rejected', refused.ok ? null : refused.error.message);
      return refused;
    };
    if (!retryFailedItemsEffect(job.status)) return refuse(this.refused(job.status, 'retry_failed_items'));
    const n = await this.runner.retryFailedItems(jobId);
    if (n === 0) return refuse(this.refused(job.status, 'retry_failed_items', 'the job has no failed items'));
    await this.repo.settleCommand(commandId, 'applied', null);
    await this.repo.addEvent(jobId, 'retry_failed_items', { items: n });
    return this.resultOf(jobId, await this.publishRow(jobId, 'CHANGED'));
  }

  /** The retry scheduler's work: reopens finished jobs whose failed items are due again. */
  async retryDue(now = new Date()): Promise<{ jobs: number; items: number }> {
    let items = 0;
    const ids = await this.repo.jobsWithDueRetries(now);
    for (const id of ids) {
      const n = await this.repo.retryFailedItems(id, true, now, true);
      items += n;
      if (n > 0) {
        await this.repo.addEvent(id, 'retry_scheduled', { items: n });
        await this.publishRow(id, 'CHANGED');
      }
    }
    if (items > 0) this.runner.wake();
    return { jobs: ids.length, items };
  }

  /** Running items whose heartbeat is older than `olderThanMs` go back to pending (attempt counted). */
  async reclaimStale(olderThanMs: number, now = new Date()): Promise<number> {
    const n = await this.repo.reclaimStaleItems(new Date(now.getTime() - olderThanMs));
    if (n > 0) this.runner.wake();
    return n;
  }

  /** Counts for the daemons' activity lines. */
  async summary(): Promise<{ running: number; queued: number; runningJobs: { id: number; lane: Lane; jobType: JobType }[] }> {
    const [lanes, runningJobs] = await Promise.all([this.lanes(), this.repo.runningJobs()]);
    return {
      running: lanes.reduce((a, l) => a + l.running, 0),
      queued: lanes.reduce((a, l) => a + l.queued, 0),
      runningJobs,
    };
  }

  async setLaneConcurrency(
    lane: string,
    limit: number,
  ): Promise<{ ok: true; lane: LaneView } | { ok: false; error: Extract<TaskCenterError, { kind: 'invalidArgument' }> }> {
    if (!(LANES as readonly string[]).includes(lane)) {
      return { ok: false, error: { kind: 'invalidArgument', argument: 'lane', message: `lane must be one of ${LANES.join(', ')}` } };
    }
    if (!isValidLaneLimit(limit)) {
      return { ok: false, error: { kind: 'invalidArgument', argument: 'limit', message: `limit must be a whole number from 0 to ${MAX_LANE_LIMIT}` } };
    }
    await this.repo.setLaneConcurrency(lane as Lane, limit);
    this.runner.wake();
    const lanes = await this.lanes();
    this.bus.publish('lanes:changed', lanes);
    return { ok: true, lane: lanes.find((l) => l.name === lane) as LaneView };
  }

  async lanes(): Promise<LaneView[]> {
    const [limits, counts] = await Promise.all([this.repo.laneLimits(), this.repo.laneCounts()]);
    return LANES.map((name) => {
      const c = counts.find((x) => x.lane === name);
      return { name, limit: limits[name], running: Number(c?.running ?? 0), queued: Number(c?.queued ?? 0) };
    });
  }

  /** A page of rows, newest first, in a constant number of statements (three, the dispatch state read with the jobs). */
  async page(first: number, afterJobId: number | null): Promise<TaskRowPage> {
    const page = await this.repo.taskCenterPage(first, afterJobId);
    const ctx = this.dispatchContext(page.dispatch);
    return {
      rows: page.jobs.map((j) => this.rowOf(j, page.stagesByJob.get(j.id) ?? [], page.workersByJob.get(j.id) ?? [], ctx)),
      hasNextPage: page.hasNextPage,
    };
  }

  async row(jobId: number): Promise<TaskRowView | null> {
    return (await this.rowWithLanes(jobId))?.row ?? null;
  }

  /** One job's row and the lanes, from the same read (the lanes come from its dispatch state). */
  private async rowWithLanes(jobId: number): Promise<{ row: TaskRowView; lanes: LaneView[] } | null> {
    const page = await this.repo.taskCenterPage(1, jobId + 1);
    const job = page.jobs[0];
    if (!job || job.id !== jobId) return null;
    const row = this.rowOf(job, page.stagesByJob.get(jobId) ?? [], page.workersByJob.get(jobId) ?? [], this.dispatchContext(page.dispatch));
    return { row, lanes: lanesOf(page.dispatch) };
  }

  async events(jobId: number, last: number): Promise<{ at: Date; kind: string }[]> {
    return this.repo.eventsOf(jobId, last);
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** A removed job: no more coalesced changes for it; subscribers drop its row. */
  private publishRemoved(row: TaskRowView): void {
    this.throttles.get(row.jobId)?.cancel();
    this.throttles.delete(row.jobId);
    if (this.closed) return;
    this.bus.publish('task:row', { kind: 'REMOVED', row }, String(row.jobId));
  }

  /** Reads the job's row and publishes it (and the lanes when they may have changed); returns the row. */
  private async publishRow(jobId: number, kind: 'ADDED' | 'CHANGED'): Promise<TaskRowView | null> {
    if (this.closed) return null;
    try {
      const read = await this.rowWithLanes(jobId);
      if (!read) return null;
      const { row, lanes } = read;
      if (isJobFinal(row.status)) {
        this.throttles.delete(jobId); // nothing more to coalesce for it
        if (this.speeds.delete(jobId)) this.bus.publish('download:speed', downloadSpeed(jobId, [], new Date()), String(jobId));
      }
      this.bus.publish('task:row', { kind, row }, String(jobId));
      if (kind === 'ADDED' || row.status !== 'running') this.bus.publish('lanes:changed', lanes);
      return row;
    } catch (err) {
      this.log.warn({ err, jobId }, 'could not publish a task-center row');
      return null;
    }
  }

  /** What queue positions and waiting reasons need, from the dispatch state read with the page. */
  private dispatchContext({ queued: queuedRows, running, limits }: DispatchSnapshot): DispatchContext {
    const now = new Date();
    const queued: QueuedJob[] = queuedRows.map((q) => ({ ...q, status: 'queued' }));
    const runningJobIds: Record<Lane, number[]> = { download: [], general: [] };
    for (const r of running) runningJobIds[r.lane].push(r.id);
    return { now, queued, positions: queuePositions(queued, now), runningJobIds, limits };
  }

  private rowOf(j: TaskJobRow, stages: readonly TaskStageRow[], workers: readonly TaskWorkerRow[], ctx: DispatchContext): TaskRowView {
    const progress = primaryProgress(
      j.jobType,
      stages.map((s) => ({ stageType: s.stageType, counts: countsOf(s) })),
    );
    const busy = workers.filter((w) => w.status === 'busy');
    const live = j.status === 'running' || j.status === 'pause_requested';
    return {
      jobId: j.id,
      jobType: j.jobType,
      displayName: displayName(j.jobType, j.scope),
      status: j.status,
      lane: j.lane,
      priority: j.priority,
      queuePosition: j.status === 'queued' ? (ctx.positions.get(j.id) ?? null) : null,
      scopeSummary: scopeSummary(j.scope),
      completedItems: progress.completedItems,
      totalItems: progress.totalItems,
      progressPercent: progress.percent,
      activeWorkerCount: live ? busy.length : 0,
      speedBytesPerSec: live ? totalSpeed(busy.map((w) => w.speedBytesPerSec)) : null,
      canPause: canPause(j.status),
      canResume: canResume(j.status),
      canCancel: canCancel(j.status),
      canRemove: canRemove(j.status),
      waitingReason: waitingReason(
        { id: j.id, lane: j.lane, priority: j.priority, createdAt: j.createdAt, status: j.status, notBefore: j.notBefore },
        ctx,
      ),
      createdAt: j.createdAt,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
      error: j.error,
      stages: stages.map(stageView),
      workers: workers.map(workerView),
    };
  }

  /** The answer to a mutation: the row it published, else the row read now (closed, or the publication failed). */
  private async resultOf(jobId: number, published: TaskRowView | null): Promise<JobResult> {
    const row = published ?? (await this.row(jobId));
    return row ? { ok: true, job: row } : this.notFound(jobId);
  }

  private notFound(id: number): JobResult {
    return { ok: false, error: { kind: 'notFound', id, message: `Job ${id} not found` } };
  }

  private refused(status: JobStatus, action: string, why?: string): JobResult {
    return {
      ok: false,
      error: { kind: 'invalidTransition', status, action, message: why ?? `cannot ${action.replace(/_/g, ' ')} a job that is ${status.replace(/_/g, ' ')}` },
    };
  }
}

/** The lanes view from a dispatch snapshot: each lane's limit, jobs holding a slot, jobs queued. */
function lanesOf({ queued, running, limits }: DispatchSnapshot): LaneView[] {
  return LANES.map((name) => ({
    name,
    limit: limits[name] ?? DEFAULT_LANE_LIMITS[name],
    running: running.filter((r) => r.lane === name).length,
    queued: queued.filter((q) => q.lane === name).length,
  }));
}
