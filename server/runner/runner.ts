import type { Logger } from 'pino';
import { jobOutcome, stageOutcome, stopsJob } from '../domain/jobs/aggregate.js';
import { DEFAULT_LANE_LIMITS } from '../domain/jobs/catalog.js';
import { pickRunnable, type QueuedJob } from '../domain/jobs/dispatch.js';
import { controlEvent, JOB_TRANSITIONS, type JobControl } from '../domain/jobs/job-states.js';
import { isRetryable, nextAttemptAt } from '../domain/jobs/retry.js';
import { STAGE_TRANSITIONS } from '../domain/jobs/stage-states.js';
import { createSpeedMeter, recordSample, speedBytesPerSec, type SpeedMeter } from '../domain/jobs/throughput.js';
import { transferPercent } from '../domain/jobs/progress.js';
import type { Lane, StageStatus } from '../domain/jobs/types.js';
import type { AbortReason, ItemHandler, ItemOutcome, StageExecutors } from './executor.js';
import type { ClaimedItem, JobStore, StoredJob, StoredStage } from './store.js';

export interface RunnerOptions {
  /** Identifies this process as the owner of the jobs it runs. */
  readonly runnerId: string;
  /** Time between item heartbeats. */
  readonly heartbeatMs: number;
  /** Minimum time between two throughput writes of one worker slot. */
  readonly progressWriteMs: number;
}

/** Something happened to a job that subscribers may want (the runner publishes facts only). */
export type RunnerEvent = { readonly jobId: number };

/** One running job in this process. */
interface ActiveJob {
  readonly job: StoredJob;
  /** Set by pause / cancel / shutdown: workers stop claiming, in-flight items are aborted. */
  stopping: AbortReason | null;
  readonly inFlight: Map<number, AbortController>;
  readonly done: Promise<void>;
}

/**
 * The lane supervisor and job runner: starts queued jobs into free lane slots (claims are
 * guarded writes that re-check the lane's count), runs each job's stages in order with item
 * workers, applies pause / resume / cancel, and checkpoints in-flight items on shutdown.
 * It wakes on events; it does not poll while idle.
 */
export class JobRunner {
  private readonly active = new Map<number, ActiveJob>();
  private dispatching: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Jobs started since the last sweep() (the Queue Dispatcher's counter). */
  private startedSinceSweep = 0;

  constructor(
    private readonly store: JobStore,
    private readonly executors: StageExecutors,
    private readonly log: Logger,
    private readonly options: RunnerOptions,
    private readonly onChange: (e: RunnerEvent) => void = () => {},
  ) {}

  /** Recovers jobs left by a dead process, then dispatches. */
  async start(): Promise<void> {
    const recovered = await this.store.recoverOrphans({ ownerNot: this.options.runnerId });
    for (const jobId of recovered) {
      await this.store.addEvent(jobId, 'recovered', { runner: this.options.runnerId });
      this.onChange({ jobId });
    }
    this.wake();
  }

  /** Asks for a dispatch round; rounds never overlap, and a wake during one runs another. */
  wake(): void {
    if (this.stopped) return;
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = this.dispatch()
      .catch((err: unknown) => this.log.error({ err }, 'dispatch failed'))
      .finally(() => {
        this.dispatching = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** A dispatch round now (the Queue Dispatcher daemon's safety sweep); resolves when it is done. */
  async sweep(): Promise<number> {
    this.wake();
    while (this.dispatching) await this.dispatching;
    const n = this.startedSinceSweep;
    this.startedSinceSweep = 0;
    return n;
  }

  /** Running jobs of this process (for tests and health). */
  activeJobIds(): number[] {
    return [...this.active.keys()];
  }

  /**
   * Applies a control to a job. A job this process runs is stopped through its workers; a
   * queued or paused one changes with one guarded write. Returns false when the job's state
   * does not allow the control (nothing changed).
   */
  async control(jobId: number, control: JobControl): Promise<boolean> {
    const job = await this.store.findJob(jobId);
    if (!job) return false;
    const event = controlEvent(job.status, control);
    if (!event) return false;
    const t = JOB_TRANSITIONS[event];
    const running = this.active.get(jobId);
    if (running && event === 'cancel') {
      // The job keeps its lane slot until its in-flight items have stopped; settleStopped ends it.
      running.stopping = 'cancel';
      for (const ctrl of running.inFlight.values()) ctrl.abort('cancel');
      await this.store.addEvent(jobId, 'cancel_requested');
      this.onChange({ jobId });
      return true;
    }
    if (running && event === 'requestPause') {
      if (!(await this.store.transitionJob(jobId, [job.status], t.to))) return false;
      running.stopping = 'pause';
      for (const ctrl of running.inFlight.values()) ctrl.abort(running.stopping);
      await this.store.addEvent(jobId, 'pause_requested');
      this.onChange({ jobId });
      return true;
    }
    if (event === 'withdrawPause' && running) {
      if (!(await this.store.transitionJob(jobId, [job.status], t.to))) return false;
      running.stopping = null;
      this.onChange({ jobId });
      return true;
    }
    const patch = event === 'cancel' ? { finishedAt: new Date() } : {};
    if (!(await this.store.transitionJob(jobId, t.from, t.to, patch))) return false;
    if (event === 'cancel') {
      await this.store.cancelPendingItems(jobId);
      // a queued or paused job's stages are final too (as settleStopped does for a running one)
      for (const s of await this.store.stagesOf(jobId)) await this.store.transitionStage(s.id, STAGE_TRANSITIONS.cancel.from, 'canceled', { finishedAt: new Date() });
    }
    await this.store.addEvent(jobId, event);
    this.onChange({ jobId });
    this.wake();
    return true;
  }

  /** Stops claiming, checkpoints in-flight items (back to pending with their bytes) and requeues owned jobs. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.active.values()) {
      a.stopping = 'shutdown';
      for (const ctrl of a.inFlight.values()) ctrl.abort('shutdown');
    }
    await this.dispatching;
    await Promise.all([...this.active.values()].map((a) => a.done));
  }

  // ---- dispatch ----------------------------------------------------------------------------

  private async dispatch(): Promise<void> {
    const [queued, running, stored] = await Promise.all([this.store.queuedJobs(), this.store.runningCounts(), this.store.laneLimits()]);
    const limits = { ...DEFAULT_LANE_LIMITS, ...stored };
    const candidates: QueuedJob[] = queued.map((q) => ({ ...q, status: 'queued' }));
    for (const pick of pickRunnable(candidates, running, limits, new Date())) {
      if (this.stopped) return;
      // The claim re-checks the lane's count in the same UPDATE: never over the limit.
      if (!(await this.store.claimJob(pick.id, pick.lane, limits[pick.lane as Lane], this.options.runnerId))) continue;
      const job = await this.store.findJob(pick.id);
      if (!job) continue;
      this.launch(job);
    }
  }

  private launch(job: StoredJob): void {
    const entry: ActiveJob = {
      job,
      stopping: null,
      inFlight: new Map(),
      done: Promise.resolve(),
    };
    (entry as { done: Promise<void> }).done = this.runJob(entry)
      .catch(async (err: unknown) => {
        this.log.error({ err, jobId: job.id }, 'job failed unexpectedly');
        await this.store.transitionJob(job.id, ['running', 'pause_requested'], 'failed', { finishedAt: new Date(), error: String(err) });
      })
      .finally(() => {
        this.active.delete(job.id);
        this.onChange({ jobId: job.id });
        this.wake(); // a lane slot is free
      });
    this.active.set(job.id, entry);
    this.startedSinceSweep++;
    this.onChange({ jobId: job.id });
    void this.store.addEvent(job.id, 'started', { runner: this.options.runnerId });
  }

  // ---- running a job -----------------------------------------------------------------------

  private async runJob(a: ActiveJob): Promise<void> {
    const stages = await this.store.stagesOf(a.job.id);
    let stopAfter = false;
    for (const stage of stages) {
      if (stage.status === 'completed' || stage.status === 'completed_with_errors' || stage.status === 'skipped') continue;
      if (stopAfter) {
        await this.store.transitionStage(stage.id, ['pending'], 'skipped');
        continue;
      }
      const outcome = await this.runStage(a, stage);
      if (outcome === 'stopped') return this.settleStopped(a, stages);
      if (stopsJob(outcome)) stopAfter = true;
    }
    const final = await this.store.stagesOf(a.job.id);
    // retryFailedItems reopened a stage this run had already passed: run it again
    if (!a.stopping && final.some((s) => s.status === 'pending')) return this.runJob(a);
    const to = jobOutcome(final.map((s) => s.status)) ?? 'failed';
    const ok = await this.store.transitionJob(a.job.id, ['running', 'pause_requested'], to, { finishedAt: new Date(), owner: null });
    if (ok) await this.store.addEvent(a.job.id, 'finished', { status: to });
  }

  /** Runs one stage; returns its final status, or 'stopped' when pause/cancel/shutdown cut it short. */
  private async runStage(a: ActiveJob, stage: StoredStage): Promise<StageStatus | 'stopped'> {
    const executor = this.executors[stage.stageType];
    const from: StageStatus[] = stage.status === 'paused' ? ['paused'] : ['pending'];
    if (!(await this.store.transitionStage(stage.id, [...from, 'running'], 'running', { startedAt: new Date() }))) return 'stopped';
    if (executor.plan && stage.status === 'pending') {
      const items = await executor.plan(a.job, stage);
      if (items.length > 0) await this.store.addItems(a.job.id, stage.id, items);
    }
    const workerNames = Array.from({ length: Math.max(1, executor.workers) }, (_, i) => `${a.job.lane}-${i + 1}`);
    await Promise.all(workerNames.map((name) => this.workerLoop(a, stage, name)));
    if (a.stopping) return 'stopped';
    const counts = await this.store.stageItemCounts(stage.id);
    const outcome = stageOutcome(counts) ?? 'completed_with_errors';
    const event = outcome === 'completed' ? 'complete' : outcome === 'failed' ? 'fail' : outcome === 'canceled' ? 'cancel' : 'completeWithErrors';
    await this.store.transitionStage(stage.id, STAGE_TRANSITIONS[event].from, outcome, { finishedAt: new Date() });
    return outcome;
  }

  private async workerLoop(a: ActiveJob, stage: StoredStage, workerName: string): Promise<void> {
    const executor = this.executors[stage.stageType];
    await this.store.saveWorker(a.job.id, workerName, { status: 'idle', stageId: stage.id });
    while (!a.stopping) {
      const item = await this.store.claimItem(stage.id, workerName);
      if (!item) break;
      const outcome = await this.runItem(a, stage, item, workerName, executor.handle);
      await this.store.saveWorker(a.job.id, workerName, {
        status: 'idle',
        currentItemId: null,
        currentDisplayText: null,
        speedBytesPerSec: null,
        countProcessed: outcome === 'succeeded',
        countError: outcome === 'failed',
      });
    }
  }

  /** Runs one claimed item with heartbeats and progress; records its end. */
  private async runItem(
    a: ActiveJob,
    stage: StoredStage,
    item: ClaimedItem,
    workerName: string,
    handle: ItemHandler,
  ): Promise<ItemOutcome['status'] | 'canceled' | 'interrupted'> {
    const ctrl = new AbortController();
    a.inFlight.set(item.id, ctrl);
    let meter: SpeedMeter = createSpeedMeter();
    let bytes = item.doneBytes;
    let lastWrite = 0;
    const beat = setInterval(() => void this.store.heartbeat([item.id]).catch(() => undefined), this.options.heartbeatMs);
    await this.store.saveWorker(a.job.id, workerName, {
      status: 'busy',
      currentItemId: item.id,
      currentDisplayText: item.label,
      heartbeatAt: new Date(),
      downloadedBytes: bytes,
      totalBytes: null,
      progressPercent: null,
    });
    try {
      let outcome: ItemOutcome;
      try {
        outcome = await handle({
          job: a.job,
          stage,
          item,
          signal: ctrl.signal,
          progress: ({ bytes: b, totalBytes }) => {
            bytes = b;
            const now = Date.now();
            meter = recordSample(meter, b, now);
            if (now - lastWrite < this.options.progressWriteMs) return;
            lastWrite = now;
            void this.store
              .saveWorker(a.job.id, workerName, {
                downloadedBytes: b,
                totalBytes,
                speedBytesPerSec: speedBytesPerSec(meter, now),
                progressPercent: transferPercent(b, totalBytes),
                heartbeatAt: new Date(now),
              })
              .then(() => this.onChange({ jobId: a.job.id }))
              .catch(() => undefined);
          },
        });
      } catch (err) {
        if (ctrl.signal.aborted) outcome = { status: 'failed', error: 'interrupted' };
        else outcome = { status: 'failed', error: err instanceof Error ? err.message : String(err) };
      }
      if (ctrl.signal.aborted) {
        const reason = ctrl.signal.reason as AbortReason;
        if (reason === 'cancel') {
          await this.store.finishItem(item.id, workerName, 'canceled');
          return 'canceled';
        }
        // pause or shutdown: a checkpoint, the item resumes later from its bytes
        await this.store.releaseItem(item.id, workerName, bytes);
        return 'interrupted';
      }
      if (outcome.status === 'failed') {
        const retryAt = isRetryable(outcome.code) ? nextAttemptAt(item.attempts, new Date()) : null;
        await this.store.finishItem(item.id, workerName, 'failed', {
          lastError: outcome.error,
          lastErrorCode: outcome.code ?? null,
          nextAttemptAt: retryAt,
          doneBytes: bytes,
        });
      } else {
        await this.store.finishItem(item.id, workerName, outcome.status, { doneBytes: outcome.status === 'succeeded' ? (outcome.bytes ?? bytes) : bytes });
      }
      this.onChange({ jobId: a.job.id });
      return outcome.status;
    } finally {
      clearInterval(beat);
      a.inFlight.delete(item.id);
    }
  }

  /** After pause / cancel / shutdown: the job and its running stage settle in their new state. */
  private async settleStopped(a: ActiveJob, stages: readonly StoredStage[]): Promise<void> {
    const reason = a.stopping;
    const id = a.job.id;
    if (reason === 'cancel') {
      await this.store.cancelPendingItems(id);
      for (const s of stages) {
        if (!(await this.store.transitionStage(s.id, STAGE_TRANSITIONS.cancel.from, 'canceled', { finishedAt: new Date() }))) continue;
      }
      await this.store.transitionJob(id, JOB_TRANSITIONS.cancel.from, 'canceled', { finishedAt: new Date(), owner: null });
      await this.store.addEvent(id, 'canceled');
    } else if (reason === 'pause') {
      for (const s of stages) await this.store.transitionStage(s.id, ['running'], 'paused');
      await this.store.transitionJob(id, ['pause_requested'], 'paused', { owner: null });
      await this.store.addEvent(id, 'paused');
    } else {
      // shutdown: back to the queue; stages restart on their open items after restart
      for (const s of stages) await this.store.transitionStage(s.id, ['running'], 'pending');
      await this.store.transitionJob(id, ['running', 'pause_requested'], 'queued', { owner: null });
      await this.store.addEvent(id, 'checkpointed');
    }
  }
}
