import type { Logger } from 'pino';
import { jobOutcome, stageOutcome, stopsJob } from '../domain/jobs/aggregate.js';
import { DEFAULT_LANE_LIMITS } from '../domain/jobs/catalog.js';
import { pickRunnable, type QueuedJob } from '../domain/jobs/dispatch.js';
import { controlEvent, JOB_TRANSITIONS, retryFailedItemsEffect, type JobControl } from '../domain/jobs/job-states.js';
import { isRetryable, nextAttemptAt } from '../domain/jobs/retry.js';
import { STAGE_TRANSITIONS } from '../domain/jobs/stage-states.js';
import { addBytes, createMeter, speedOf, type SpeedMeter } from '../domain/downloads/speed-meter.js';
import { Throttle } from '../daemons/activity-throttle.js';
import { transferPercent } from '../domain/jobs/progress.js';
import { nextClaimSize } from '../domain/jobs/claim-size.js';
import type { StageStatus } from '../domain/jobs/types.js';
import { StageRefusedError, type AbortReason, type ItemHandler, type ItemOutcome, type StageExecutors } from './executor.js';
import { ItemBroker } from './item-broker.js';
import type { ClaimedItem, ClaimedJob, ItemEnd, JobStore, StoredJob, StoredStage } from './store.js';
import { WorkerSlots, type WorkerSlot } from './worker-slots.js';

export interface RunnerOptions {
  /** Identifies this process as the owner of the jobs it runs. */
  readonly runnerId: string;
  /** Time between item heartbeats. */
  readonly heartbeatMs: number;
  /** Minimum time between two throughput writes of one worker slot (the database's rate). */
  readonly progressWriteMs: number;
  /** Minimum time between two progress reports of one job to onProgress (the subscribers' rate); default progressWriteMs. */
  readonly progressPublishMs?: number;
}

/** A job's worker slots as they are now (copies), for live progress. */
export type ProgressReport = { readonly jobId: number; readonly workers: readonly WorkerSlot[] };

/** Something happened to a job that subscribers may want (the runner publishes facts only). */
export type RunnerEvent = { readonly jobId: number };

/** One running job in this process. */
interface ActiveJob {
  readonly job: StoredJob;
  /** The stage the claim started, until runJob takes it (then null: later stages start with startNextStage). */
  claimedStage: StoredStage | null;
  /** Set by pause / cancel / shutdown: workers stop claiming, in-flight items are aborted. */
  stopping: AbortReason | null;
  readonly inFlight: Map<number, AbortController>;
  /** Items its slots hold (claimed, running or next in a slot's batch): the heartbeat covers them all. */
  readonly held: Set<number>;
  readonly done: Promise<void>;
  /** Set while the job reads its stages for the last time and writes its final status. */
  finalizing: boolean;
  /** retryFailedItems writes in flight: the final look at the stages waits for them. */
  readonly retries: Set<Promise<number>>;
  /** The latest result an item reported (a task job's result) and the latest item error. */
  result: Record<string, unknown> | null;
  lastError: string | null;
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
  private readonly broker: ItemBroker;
  private readonly slots: WorkerSlots;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly progressThrottles = new Map<number, Throttle<number>>();

  constructor(
    private readonly store: JobStore,
    private readonly executors: StageExecutors,
    private readonly log: Logger,
    private readonly options: RunnerOptions,
    private readonly onChange: (e: RunnerEvent) => void = () => {},
    /** Live progress of jobs whose items report bytes, at most once per progressPublishMs per job (the latest always). */
    private readonly onProgress: (p: ProgressReport) => void = () => {},
  ) {
    this.broker = new ItemBroker(store);
    this.slots = new WorkerSlots(
      store,
      options.progressWriteMs,
      (jobIds) => {
        for (const jobId of jobIds) this.onChange({ jobId });
      },
      (err) => this.log.warn({ err }, 'could not write worker slots'),
    );
  }

  /** Recovers jobs left by a dead process, then dispatches. */
  async start(): Promise<void> {
    const recovered = await this.store.recoverOrphans({ ownerNot: this.options.runnerId });
    for (const jobId of recovered) {
      await this.store.addEvent(jobId, 'recovered', { runner: this.options.runnerId });
      this.onChange({ jobId });
    }
    this.heartbeatTimer = setInterval(() => void this.beat(), this.options.heartbeatMs);
    this.heartbeatTimer.unref();
    this.wake();
  }

  /** One heartbeat for every item in flight and every job this process runs (two statements at most). */
  private async beat(): Promise<void> {
    const jobIds = [...this.active.keys()];
    if (jobIds.length === 0) return;
    const itemIds = [...this.active.values()].flatMap((a) => [...a.held]);
    await this.store.heartbeat(itemIds, jobIds).catch((err: unknown) => this.log.warn({ err }, 'heartbeat failed'));
  }

  /** Asks for a dispatch round; rounds never overlap, and a wake during one runs another. */
  wake(): void {
    this.round(() => this.dispatch());
  }

  /**
   * Whether a queued job may be waiting: set by every round that left one queued, cleared by a
   * round that started them all. A finished job frees a slot, but needs no round when nothing
   * waits (every path that queues a job calls wake() or offer(), and the sweep runs anyway).
   */
  private maybeQueued = true;

  /**
   * A job was just queued: it starts at once when its lane has room and nothing queued is ahead
   * of it (one guarded write checks both), without a full dispatch round; otherwise a round runs.
   */
  offer(jobId: number): void {
    this.round(async () => {
      const job = await this.store.claimJob(jobId, this.options.runnerId);
      if (job) this.launch(job);
      else await this.dispatch();
    });
  }

  private round(work: () => Promise<void>): void {
    if (this.stopped) return;
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = work()
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
      await this.store.transitionStages(jobId, STAGE_TRANSITIONS.cancel.from, 'canceled', { finishedAt: new Date() });
    }
    await this.store.addEvent(jobId, event);
    this.onChange({ jobId });
    this.wake();
    return true;
  }

  /**
   * Puts a job's failed items back to pending and returns how many. For a job this process runs
   * it happens while the job can still see it: a retry that would land between the job's last
   * look at its stages and its final status waits for that status, and then reopens the job.
   */
  async retryFailedItems(jobId: number): Promise<number> {
    const a = this.active.get(jobId);
    if (a && !a.finalizing) {
      const write = this.store.retryFailedItems(jobId, false);
      a.retries.add(write);
      try {
        return await write;
      } finally {
        a.retries.delete(write);
      }
    }
    if (a) await a.done;
    const job = await this.store.findJob(jobId);
    const effect = job ? retryFailedItemsEffect(job.status) : null;
    if (!effect) return 0;
    const n = await this.store.retryFailedItems(jobId, effect === 'reopenJob');
    if (n > 0) this.wake();
    return n;
  }

  /** Stops claiming, checkpoints in-flight items (back to pending with their bytes) and requeues owned jobs. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.active.values()) {
      a.stopping = 'shutdown';
      for (const ctrl of a.inFlight.values()) ctrl.abort('shutdown');
    }
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.dispatching;
    await Promise.all([...this.active.values()].map((a) => a.done));
    await this.slots.flush();
  }

  // ---- dispatch ----------------------------------------------------------------------------

  private async dispatch(): Promise<void> {
    const [queued, running, stored] = await Promise.all([this.store.queuedJobs(), this.store.runningCounts(), this.store.laneLimits()]);
    const limits = { ...DEFAULT_LANE_LIMITS, ...stored };
    const candidates: QueuedJob[] = queued.map((q) => ({ ...q, status: 'queued' }));
    let started = 0;
    this.maybeQueued = true;
    for (const pick of pickRunnable(candidates, running, limits, new Date())) {
      if (this.stopped) return;
      // The claim re-checks the lane's count and the order in the same UPDATE: never over the limit.
      const job = await this.store.claimJob(pick.id, this.options.runnerId);
      if (job) {
        this.launch(job);
        started++;
      }
    }
    this.maybeQueued = started < queued.length;
  }

  private launch(claimed: ClaimedJob): void {
    const { stage, ...job } = claimed;
    const entry: ActiveJob = {
      job,
      claimedStage: stage,
      stopping: null,
      inFlight: new Map(),
      held: new Set(),
      done: Promise.resolve(),
      finalizing: false,
      retries: new Set(),
      result: null,
      lastError: null,
    };
    (entry as { done: Promise<void> }).done = this.runJob(entry)
      .catch(async (err: unknown) => {
        if (err instanceof StageRefusedError) this.log.warn({ jobId: job.id, reason: err.message }, 'job failed');
        else this.log.error({ err, jobId: job.id }, 'job failed unexpectedly');
        await this.store.transitionJob(job.id, ['running', 'pause_requested'], 'failed', { finishedAt: new Date(), error: String(err) });
      })
      .finally(async () => {
        this.progressThrottles.get(job.id)?.cancel();
        this.progressThrottles.delete(job.id);
        await this.slots.release(job.id);
        this.active.delete(job.id);
        this.onChange({ jobId: job.id });
        if (this.maybeQueued) this.wake(); // a lane slot is free for a job that waits
      });
    this.active.set(job.id, entry);
    this.startedSinceSweep++;
    this.onChange({ jobId: job.id }); // its 'started' event was written by the claim
  }

  // ---- running a job -----------------------------------------------------------------------

  private async runJob(a: ActiveJob): Promise<void> {
    // stages run in order: each round starts the first one still pending (or paused) with one write
    for (;;) {
      // the first stage was started by the job's claim
      const stage = a.claimedStage ?? (await this.store.startNextStage(a.job.id));
      a.claimedStage = null;
      if (!stage) break;
      const outcome = await this.runStage(a, stage);
      if (outcome === 'stopped') return this.settleStopped(a);
      if (stopsJob(outcome)) {
        await this.store.transitionStages(a.job.id, ['pending'], 'skipped');
        break;
      }
    }
    a.finalizing = true;
    await Promise.allSettled([...a.retries]);
    const final = await this.store.stagesOf(a.job.id);
    // retryFailedItems reopened a stage this run had already passed: run it again
    if (!a.stopping && final.some((s) => s.status === 'pending')) {
      a.finalizing = false;
      return this.runJob(a);
    }
    const to = jobOutcome(final.map((s) => s.status)) ?? 'failed';
    const ok = await this.store.transitionJob(a.job.id, ['running', 'pause_requested'], to, {
      finishedAt: new Date(),
      owner: null,
      ...(a.result ? { result: a.result } : {}),
      // a failed job says why: the last error of its items
      error: to === 'failed' ? a.lastError : null,
    });
    if (ok) await this.store.addEvent(a.job.id, 'finished', { status: to });
  }

  /** Runs one started stage; returns its final status, or 'stopped' when pause/cancel/shutdown cut it short. */
  private async runStage(a: ActiveJob, stage: StoredStage): Promise<StageStatus | 'stopped'> {
    const executor = this.executors[stage.stageType];
    const names = Array.from({ length: Math.max(1, executor.workers) }, (_, i) => `${a.job.lane}-${i + 1}`);
    // a stage plans its items when it has none yet (a resumed stage keeps the ones it has); the
    // insert hands the first ones to the slots, one each, as their first claim would
    const first = new Map<string, ClaimedItem[]>();
    if (executor.plan && stage.totalItems === 0) {
      const items = await executor.plan(a.job, stage);
      const claimed = items.length > 0 ? await this.store.addItems(a.job.id, stage.id, items, a.stopping ? [] : names) : [];
      for (const item of claimed) first.set(item.workerName, [item]);
    }
    await Promise.all(names.map((name) => this.workerLoop(a, stage, this.slots.slot(a.job.id, name, stage.id), first.get(name))));
    await this.slots.flush();
    if (a.stopping) return 'stopped';
    const counts = await this.store.stageItemCounts(stage.id);
    const outcome = stageOutcome(counts) ?? 'completed_with_errors';
    const event = outcome === 'completed' ? 'complete' : outcome === 'failed' ? 'fail' : outcome === 'canceled' ? 'cancel' : 'completeWithErrors';
    await this.store.transitionStage(stage.id, STAGE_TRANSITIONS[event].from, outcome, { finishedAt: new Date() });
    return outcome;
  }

  /**
   * One item worker slot: claims items, runs them one after another, ends each and asks for more
   * in the same breath as its last end (the broker batches both with every other slot's), until
   * the stage has no due item left or the job is stopping. A slot whose items are quick claims
   * several at once (nextClaimSize); a slot with slow items claims one.
   */
  private async workerLoop(a: ActiveJob, stage: StoredStage, slot: WorkerSlot, claimed?: ClaimedItem[]): Promise<void> {
    const { handle } = this.executors[stage.stageType];
    let size = 1;
    // items the stage's addItems already handed to this slot count as its first claim
    const queue = claimed ?? (a.stopping ? [] : await this.broker.claim(stage.id, slot.workerName, size));
    for (const item of queue) a.held.add(item.id);
    // ends of this slot's items not written yet: the next item does not wait for them
    const writing = new Set<Promise<void>>();
    const failures: unknown[] = [];
    while (queue.length > 0) {
      if (failures.length > 0) throw failures[0];
      const item = queue.shift()!;
      const startedAt = performance.now();
      const end = await this.runItem(a, stage, item, slot, handle);
      size = nextClaimSize(size, performance.now() - startedAt);
      const written: Promise<void> = this.broker
        .end(end)
        .then((ended) => {
          if (!ended) return;
          if (end.status === 'succeeded') slot.processedDelta++;
          else if (end.status === 'failed') slot.errorDelta++;
          this.slots.touch(slot);
          this.onChange({ jobId: a.job.id });
        })
        .catch((err: unknown) => {
          failures.push(err);
        })
        .finally(() => {
          writing.delete(written);
          a.held.delete(item.id);
        });
      writing.add(written);
      if (queue.length === 0 && !a.stopping) {
        // the last end of the batch and the next claim go out together
        const next = await this.broker.claim(stage.id, slot.workerName, size);
        for (const n of next) a.held.add(n.id);
        queue.push(...next);
      }
    }
    await Promise.all(writing);
    if (failures.length > 0) throw failures[0];
  }

  /** Runs one claimed item with progress; returns how it ends (the caller writes it). */
  private async runItem(a: ActiveJob, stage: StoredStage, item: ClaimedItem, slot: WorkerSlot, handle: ItemHandler): Promise<ItemEnd> {
    const held = { itemId: item.id, workerName: item.workerName };
    // claimed while a pause / cancel / shutdown arrived: not started, back to pending
    if (a.stopping) return { ...held, status: 'pending' };
    const ctrl = new AbortController();
    a.inFlight.set(item.id, ctrl);
    let meter: SpeedMeter = addBytes(createMeter(), 0, Date.now());
    let bytes = item.doneBytes;
    Object.assign(slot, {
      status: 'busy',
      currentItemId: item.id,
      currentDisplayText: item.label,
      heartbeatAt: new Date(),
      downloadedBytes: bytes,
      totalBytes: null,
      speedBytesPerSec: null,
      progressPercent: null,
    } satisfies Partial<WorkerSlot>);
    this.slots.touch(slot);
    try {
      let outcome: ItemOutcome;
      try {
        outcome = await handle({
          job: a.job,
          stage,
          item,
          signal: ctrl.signal,
          progress: ({ bytes: b, totalBytes }) => {
            const now = Date.now();
            // bytes actually received since the last report (a restarted transfer starts over)
            meter = addBytes(meter, Math.max(0, b - bytes), now);
            bytes = b;
            slot.downloadedBytes = b;
            slot.totalBytes = totalBytes;
            slot.speedBytesPerSec = speedOf(meter, now);
            slot.progressPercent = transferPercent(b, totalBytes);
            slot.heartbeatAt = new Date(now);
            this.slots.touch(slot); // written at most every progressWriteMs
            this.progressOf(a.job.id).push(a.job.id); // published at most every progressPublishMs
          },
        });
      } catch (err) {
        outcome = { status: 'failed', error: ctrl.signal.aborted ? 'interrupted' : err instanceof Error ? err.message : String(err) };
      }
      if (ctrl.signal.aborted) {
        // cancel ends the item; pause or shutdown is a checkpoint: it resumes later from its bytes
        return { ...held, status: (ctrl.signal.reason as AbortReason) === 'cancel' ? 'canceled' : 'pending', doneBytes: bytes };
      }
      if (outcome.status === 'succeeded' && outcome.result) a.result = outcome.result;
      if (outcome.status === 'failed') {
        a.lastError = outcome.error;
        return {
          ...held,
          status: 'failed',
          lastError: outcome.error,
          lastErrorCode: outcome.code ?? null,
          nextAttemptAt: isRetryable(outcome.code) ? nextAttemptAt(item.attempts, new Date()) : null,
          doneBytes: bytes,
        };
      }
      return { ...held, status: outcome.status, doneBytes: outcome.status === 'succeeded' ? (outcome.bytes ?? bytes) : bytes };
    } finally {
      a.inFlight.delete(item.id);
      Object.assign(slot, { status: 'idle', currentItemId: null, currentDisplayText: null, speedBytesPerSec: null } satisfies Partial<WorkerSlot>);
      this.slots.touch(slot);
    }
  }

  private progressOf(jobId: number): Throttle<number> {
    let t = this.progressThrottles.get(jobId);
    if (!t) {
      t = new Throttle<number>(this.options.progressPublishMs ?? this.options.progressWriteMs, (id) =>
        this.onProgress({ jobId: id, workers: this.slots.ofJob(id) }),
      );
      this.progressThrottles.set(jobId, t);
    }
    return t;
  }

  /** After pause / cancel / shutdown: the job and its running stage settle in their new state. */
  private async settleStopped(a: ActiveJob): Promise<void> {
    const reason = a.stopping;
    const id = a.job.id;
    if (reason === 'cancel') {
      await this.store.cancelPendingItems(id);
      await this.store.transitionStages(id, STAGE_TRANSITIONS.cancel.from, 'canceled', { finishedAt: new Date() });
      await this.store.transitionJob(id, JOB_TRANSITIONS.cancel.from, 'canceled', { finishedAt: new Date(), owner: null });
      await this.store.addEvent(id, 'canceled');
    } else if (reason === 'pause') {
      await this.store.transitionStages(id, ['running'], 'paused');
      await this.store.transitionJob(id, ['pause_requested'], 'paused', { owner: null });
      await this.store.addEvent(id, 'paused');
    } else {
      // shutdown: back to the queue; stages restart on their open items after restart
      await this.store.transitionStages(id, ['running'], 'pending');
      await this.store.transitionJob(id, ['running', 'pause_requested'], 'queued', { owner: null });
      await this.store.addEvent(id, 'checkpointed');
    }
  }
}
