import type { Logger } from 'pino';
import { isValidInterval, MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, type DaemonDefinition } from '../domain/daemons/catalog.js';
import { dependentsOf, startOrder, startWaves, validateGraph } from '../domain/daemons/graph.js';
import { countStates, isHealthy, unhealthyRequired } from '../domain/daemons/health.js';
import { restartDelayMs, shouldForgiveRestarts, shouldRestart } from '../domain/daemons/restart.js';
import {
  availableActions,
  DAEMON_TRANSITIONS,
  isLive,
  type DaemonEvent,
  type DaemonState,
  type WorkerAction,
} from '../domain/daemons/states.js';
import { nextDaemonStatus, statusAfterLifecycle, STATUS_TRANSITIONS, type StatusEvent } from '../domain/daemons/status.js';
import { clampActivityMessage } from '../domain/daemons/throttle.js';
import type { EventBus } from '../events/bus.js';
import { Throttle } from './activity-throttle.js';
import { DaemonCrash, InvalidSettingError, type ActivityJob, type ActivityReport, type CycleContext, type Daemon } from './base.js';
import type { DaemonPatch, DaemonRecord, DaemonStore } from './store.js';
import type { ActivityView, OrchestratorView, WorkerView } from './views.js';

/** Why a control was refused; the GraphQL layer maps each kind to a typed error. */
export type ControlError =
  | { kind: 'unknownWorker'; name: string; message: string }
  | { kind: 'invalidTransition'; worker: string; state: DaemonState; action: WorkerAction; message: string }
  | { kind: 'dependentsRunning'; worker: string; dependents: string[]; message: string }
  | { kind: 'invalidArgument'; argument: string; message: string };

export type ControlResult =
  | { ok: true; changed: boolean; message: string; worker: WorkerView }
  | { ok: false; error: ControlError };

export interface OrchestratorOptions {
  /** Base of the restart backoff (1×, 2×, 4×). */
  restartBaseMs: number;
  /** Minimum time between two published activity updates of one daemon. */
  activityMinIntervalMs: number;
  /** How long stop waits for a cycle to notice its abort signal. */
  stopTimeoutMs: number;
}

interface Slot {
  readonly def: DaemonDefinition;
  readonly daemon: Daemon;
  readonly dependents: readonly string[];
  rec: DaemonRecord;
  /** Serialises controls on one daemon. */
  lock: Promise<unknown>;
  loop: Promise<void> | null;
  abort: AbortController | null;
  wake: (() => void) | null;
  runNowRequested: boolean;
  activity: Throttle<ActivityView>;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Runs the daemons: start order by priority and dependencies, the cycle loop of each, crash
 * restarts with backoff, and the controls. State lives in the store (each change one guarded
 * write) and is mirrored here; every committed change is published on the bus.
 */
export class Orchestrator {
  private registered: Daemon[] = [];
  private readonly slots = new Map<string, Slot>();
  private order: string[] = [];
  private initialised = false;

  constructor(
    private readonly store: DaemonStore,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly options: OrchestratorOptions,
  ) {}

  /** Registers daemons; refuses duplicate keys, unknown dependencies and dependency cycles. */
  register(daemons: readonly Daemon[]): void {
    if (this.initialised) throw new Error('daemons must be registered before init()');
    const all = [...this.registered, ...daemons];
    validateGraph(all.map((d) => d.definition));
    this.registered = all;
  }

  /** Loads (or creates) each daemon's row; a previous process's reported state is reset. */
  async init(): Promise<void> {
    const defs = this.registered.map((d) => d.definition);
    const records = new Map(
      (await this.store.register(defs.map((d) => ({ name: d.key, enabled: d.defaultEnabled, intervalSeconds: d.defaultIntervalSeconds })))).map(
        (r) => [r.name, r],
      ),
    );
    // No loop survives a process: whatever the row said, the daemon is not running now.
    const reset: DaemonPatch = {
      state: 'REGISTERED',
      status: 'STOPPED',
      activityMessage: null,
      activityJobId: null,
      activityJobType: null,
      activityUpdatedAt: null,
    };
    for (const daemon of this.registered) {
      const def = daemon.definition;
      const rec = records.get(def.key);
      if (!rec) throw new Error(`no row for daemon ${def.key}`);
      daemon.restore(rec.stats, rec.settings);
      await this.store.update(def.key, reset);
      this.slots.set(def.key, {
        def,
        daemon,
        dependents: dependentsOf(defs, def.key),
        rec: { ...rec, ...reset },
        lock: Promise.resolve(),
        loop: null,
        abort: null,
        wake: null,
        runNowRequested: false,
        activity: new Throttle<ActivityView>(this.options.activityMinIntervalMs, (a) => void this.flushActivity(def.key, a)),
      });
    }
    this.order = startOrder(defs);
    this.initialised = true;
  }

  /** Starts enabled daemons wave by wave (a wave starts together), dependencies first. */
  async startAll(): Promise<void> {
    const waves = startWaves([...this.slots.values()].map((s) => s.def));
    for (const wave of waves) {
      // A dependency that FAILED in an earlier wave has had its restarts: do not set it up again per dependent.
      await Promise.all(wave.filter((k) => this.slot(k).rec.enabled).map((k) => this.start(k, { retryFailedDependencies: false })));
    }
  }

  /** Stops every live daemon in reverse start order (a wave stops together). */
  async stopAll(): Promise<void> {
    const waves = startWaves([...this.slots.values()].map((s) => s.def)).reverse();
    for (const wave of waves) {
      await Promise.all(wave.map((k) => this.withLock(this.slot(k), () => this.stopOne(this.slot(k)))));
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  has(name: string): boolean {
    return this.slots.has(name);
  }

  list(): WorkerView[] {
    return this.order.map((k) => this.view(this.slot(k)));
  }

  get(name: string): WorkerView | null {
    const slot = this.slots.get(name);
    return slot ? this.view(slot) : null;
  }

  overview(): OrchestratorView {
    const workers = this.list();
    const inputs = workers.map((w) => ({ key: w.name, required: w.required, state: w.state }));
    const counts = countStates(workers);
    return {
      totalWorkers: counts.total,
      running: counts.running,
      stopped: counts.stopped,
      failed: counts.failed,
      healthy: isHealthy(inputs),
      unhealthy: unhealthyRequired(inputs),
      workers,
    };
  }

  // ---- controls ----------------------------------------------------------------------------

  /** Starts a daemon (and the dependencies it needs). Starting a live daemon is a success. */
  async start(name: string, opts: { retryFailedDependencies?: boolean } = {}): Promise<ControlResult> {
    const slot = this.slots.get(name);
    if (!slot) return this.unknown(name);
    if (isLive(slot.rec.state)) return this.ok(slot, false, `Worker '${name}' is already running`);
    for (const dep of slot.def.dependsOn) {
      if (opts.retryFailedDependencies !== false || this.slot(dep).rec.state !== 'FAILED') await this.start(dep, opts);
    }
    return this.withLock(slot, async () => {
      const state = slot.rec.state;
      if (isLive(state)) return this.ok(slot, false, `Worker '${name}' is already running`);
      if (!DAEMON_TRANSITIONS.start.from.includes(state)) return this.invalid(slot, 'START');
      const deadDeps = slot.def.dependsOn.filter((d) => !isLive(this.slot(d).rec.state));
      // A daemon that failed runs a cycle as soon as it is up again rather than at its old time.
      const patch: DaemonPatch = state === 'FAILED' ? { restartCount: 0, error: null, nextRunAt: null } : { restartCount: 0, error: null };
      if (!(await this.transition(slot, 'start', patch))) return this.invalid(slot, 'START');
      if (deadDeps.length > 0) {
        const why = deadDeps.map((d) => `${d} is ${this.slot(d).rec.state}`).join(', ');
        await this.transition(slot, 'startFailed', { error: `dependency not running: ${why}` });
        return this.ok(slot, true, `Worker '${name}' failed to start: dependency not running: ${why}`);
      }
      const up = await this.setUpWithRestarts(slot);
      if (!up) return this.ok(slot, true, `Worker '${name}' failed to start: ${slot.rec.error ?? 'set-up failed'}`);
      return this.ok(slot, true, `Worker '${name}' started`);
    });
  }

  /** Stops a daemon; refuses when live daemons depend on it, unless `cascade` stops them first. */
  async stop(name: string, cascade = false): Promise<ControlResult> {
    const slot = this.slots.get(name);
    if (!slot) return this.unknown(name);
    if (!isLive(slot.rec.state) && slot.rec.state !== 'STOPPING') return this.ok(slot, false, `Worker '${name}' is not running`);
    const liveDependents = this.order.filter((k) => slot.dependents.includes(k) && isLive(this.slot(k).rec.state));
    if (liveDependents.length > 0 && !cascade) {
      return {
        ok: false,
        error: {
          kind: 'dependentsRunning',
          worker: name,
          dependents: liveDependents,
          message: `Worker '${name}' is needed by running workers: ${liveDependents.join(', ')}; stop them first or pass cascade: true`,
        },
      };
    }
    for (const dep of [...liveDependents].reverse()) {
      const d = this.slot(dep);
      await this.withLock(d, () => this.stopOne(d));
    }
    return this.withLock(slot, async () => {
      const changed = await this.stopOne(slot);
      const also = liveDependents.length > 0 ? ` (and ${liveDependents.join(', ')})` : '';
      return this.ok(slot, changed, changed ? `Worker '${name}' stopped${also}` : `Worker '${name}' is not running`);
    });
  }

  async pause(name: string): Promise<ControlResult> {
    const slot = this.slots.get(name);
    if (!slot) return this.unknown(name);
    return this.withLock(slot, async () => {
      if (slot.rec.state === 'PAUSED') return this.ok(slot, false, `Worker '${name}' is already paused`);
      const now = new Date();
      const done = await this.transition(slot, 'pause', {
        paused: true,
        activityMessage: 'Paused',
        activityJobId: null,
        activityJobType: null,
        activityUpdatedAt: now,
      });
      if (!done) return this.invalid(slot, 'PAUSE');
      slot.wake?.();
      return this.ok(slot, true, `Worker '${name}' paused`);
    });
  }

  async resume(name: string): Promise<ControlResult> {
    const slot = this.slots.get(name);
    if (!slot) return this.unknown(name);
    return this.withLock(slot, async () => {
      if (slot.rec.state === 'RUNNING') return this.ok(slot, false, `Worker '${name}' is already running`);
      const done = await this.transition(slot, 'resume', { paused: false, activityMessage: 'Resumed', activityUpdatedAt: new Date() });
      if (!done) return this.invalid(slot, 'RESUME');
      slot.wake?.();
      return this.ok(slot, true, `Worker '${name}' resumed`);
    });
  }

  /** Runs one cycle right away (after the current one, if a cycle is running). */
  async runNow(name: string): Promise<ControlResult> {
    const slot = this.slots.get(name);
    if (!slot) return this.unknown(name);
    if (slot.rec.state !== 'RUNNING') return this.invalid(slot, 'RUN_NOW');
    slot.runNowRequested = true;
    slot.wake?.();
    return this.ok(slot, true, `Worker '${name}' will run a cycle now`);
  }

  async setInterval(name: string, seconds: number): Promise<ControlResult> {
    const slot = this.slots.get(name);
    if (!slot) return this.unknown(name);
    if (!isValidInterval(seconds)) {
      return {
        ok: false,
        error: {
          kind: 'invalidArgument',
          argument: 'seconds',
          message: `interval must be a whole number of seconds from ${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS}`,
        },
      };
    }
    return this.withLock(slot, async () => {
      if (slot.rec.intervalSeconds === seconds) return this.ok(slot, false, `Worker '${name}' already runs every ${seconds} s`);
      const base = slot.rec.lastRunAt?.getTime() ?? Date.now();
      const nextRunAt = isLive(slot.rec.state) ? new Date(Math.max(Date.now(), base + seconds * 1000)) : slot.rec.nextRunAt;
      await this.write(slot, { intervalSeconds: seconds, nextRunAt });
      slot.wake?.();
      return this.ok(slot, true, `Worker '${name}' now runs every ${seconds} s`);
    });
  }

  /** Persists whether the daemon starts with Roadie, and starts or stops it now accordingly. */
  async setEnabled(name: string, enabled: boolean, cascade = false): Promise<ControlResult> {
    const slot = this.slots.get(name);
    if (!slot) return this.unknown(name);
    if (!enabled && isLive(slot.rec.state)) {
      const liveDependents = slot.dependents.filter((k) => isLive(this.slot(k).rec.state));
      if (liveDependents.length > 0 && !cascade) {
        return {
          ok: false,
          error: {
            kind: 'dependentsRunning',
            worker: name,
            dependents: liveDependents,
            message: `Worker '${name}' is needed by running workers: ${liveDependents.join(', ')}; disable them first or pass cascade: true`,
          },
        };
      }
    }
    const changed = slot.rec.enabled !== enabled;
    if (changed) await this.withLock(slot, () => this.write(slot, { enabled }));
    if (enabled && !isLive(slot.rec.state)) await this.start(name);
    if (!enabled && isLive(slot.rec.state)) await this.stop(name, cascade);
    return this.ok(slot, changed, `Worker '${name}' ${enabled ? 'enabled' : 'disabled'}`);
  }

  /** Changes a daemon's own settings (e.g. cleanup's dry run), validated by the daemon. */
  async setSettings(name: string, patch: Record<string, unknown>): Promise<ControlResult> {
    const slot = this.slots.get(name);
    if (!slot) return this.unknown(name);
    let valid: object;
    try {
      valid = slot.daemon.validateSettings(patch);
    } catch (err) {
      if (err instanceof InvalidSettingError) return { ok: false, error: { kind: 'invalidArgument', argument: err.argument, message: err.message } };
      throw err;
    }
    return this.withLock(slot, async () => {
      const next = { ...slot.daemon.settings, ...valid };
      const changed = JSON.stringify(next) !== JSON.stringify(slot.daemon.settings);
      if (changed) {
        slot.daemon.settings = next;
        await this.write(slot, { settings: next as Record<string, unknown> });
      }
      return this.ok(slot, changed, changed ? `Worker '${name}' settings changed` : `Worker '${name}' settings unchanged`);
    });
  }

  // ---- lifecycle internals -----------------------------------------------------------------

  /** Runs set-up, restarting with backoff; ends RUNNING (or PAUSED) or FAILED. Caller holds the lock. */
  private async setUpWithRestarts(slot: Slot): Promise<boolean> {
    for (;;) {
      try {
        await slot.daemon.setUp();
        break;
      } catch (err) {
        const msg = errorMessage(err);
        this.log.warn({ daemon: slot.def.key, err: msg }, 'daemon set-up failed');
        if (!shouldRestart(slot.rec.restartCount)) {
          await this.transition(slot, 'startFailed', { error: msg });
          return false;
        }
        const attempt = slot.rec.restartCount + 1;
        await this.write(slot, { restartCount: attempt, error: msg }, ['STARTING']);
        await new Promise((r) => setTimeout(r, restartDelayMs(attempt, this.options.restartBaseMs)));
        if (slot.rec.state !== 'STARTING') return false;
      }
    }
    const now = new Date();
    const started = await this.transition(slot, 'started', {
      startedAt: now,
      stoppedAt: null,
      nextRunAt: slot.rec.nextRunAt && slot.rec.nextRunAt > now ? slot.rec.nextRunAt : now,
    });
    if (!started) return false;
    if (slot.rec.paused) await this.transition(slot, 'pause', { activityMessage: 'Paused', activityUpdatedAt: now });
    this.spawnLoop(slot);
    return true;
  }

  private spawnLoop(slot: Slot): void {
    const abort = new AbortController();
    slot.abort = abort;
    slot.loop = this.runLoop(slot, abort.signal).catch((err: unknown) => {
      this.log.error({ daemon: slot.def.key, err: errorMessage(err) }, 'daemon loop ended unexpectedly');
    });
  }

  private async runLoop(slot: Slot, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const { state, nextRunAt } = slot.rec;
      if (state !== 'RUNNING' && state !== 'PAUSED') return;
      const due = slot.runNowRequested ? 0 : Math.max(0, (nextRunAt?.getTime() ?? 0) - Date.now());
      if (state === 'PAUSED' || due > 0) {
        await this.wait(slot, state === 'PAUSED' ? 2 ** 31 - 1 : Math.min(due, 2 ** 31 - 1), signal);
        continue;
      }
      slot.runNowRequested = false;
      const crash = await this.runCycle(slot, signal);
      if (crash && !(await this.restartAfterCrash(slot, crash, signal))) return;
    }
  }

  /** One cycle: ACTIVE while it runs, then IDLE or ERROR. Returns the error if the daemon crashed. */
  private async runCycle(slot: Slot, signal: AbortSignal): Promise<DaemonCrash | null> {
    if (!(await this.transitionStatus(slot, 'cycleStarted', {}))) return null;
    const ctx: CycleContext = {
      signal,
      log: this.log.child({ daemon: slot.def.key }),
      report: (message, job) => this.report(slot, message, job),
      intervalSeconds: slot.rec.intervalSeconds,
    };
    let outcome: { ok: true; idle: string | ActivityReport | void } | { ok: false; err: unknown };
    try {
      outcome = { ok: true, idle: await slot.daemon.cycle(ctx) };
    } catch (err) {
      outcome = { ok: false, err };
    }
    if (signal.aborted) {
      // Stopped mid-cycle: not a failure and not a completed run.
      await this.transitionStatus(slot, 'cycleSucceeded', { stats: slot.daemon.stats as Record<string, unknown> });
      return null;
    }
    const now = new Date();
    const nextRunAt = new Date(now.getTime() + slot.rec.intervalSeconds * 1000);
    const common: DaemonPatch = { lastRunAt: now, nextRunAt, runCount: slot.rec.runCount + 1, stats: slot.daemon.stats as Record<string, unknown> };
    if (outcome.ok) {
      const forgive = shouldForgiveRestarts(slot.rec.restartCount, slot.rec.startedAt?.getTime() ?? null, now.getTime());
      await this.transitionStatus(slot, 'cycleSucceeded', { ...common, lastError: null, ...(forgive ? { restartCount: 0 } : {}) });
      if (slot.rec.state === 'RUNNING') {
        const idle = outcome.idle ?? `Sleeping for ${slot.rec.intervalSeconds} seconds`;
        if (typeof idle === 'string') this.report(slot, idle);
        else this.report(slot, idle.message, idle);
      } else if (slot.rec.state === 'PAUSED') {
        this.report(slot, 'Paused'); // paused mid-cycle: replaces the cycle's last (maybe still pending) progress
      }
      return null;
    }
    const msg = errorMessage(outcome.err);
    await this.transitionStatus(slot, 'cycleFailed', { ...common, lastError: msg, errorCount: slot.rec.errorCount + 1 });
    this.log.warn({ daemon: slot.def.key, err: msg }, 'daemon cycle failed');
    return outcome.err instanceof DaemonCrash ? outcome.err : null;
  }

  /** A crashed daemon restarts with backoff at most MAX_RESTARTS times, then FAILED. */
  private async restartAfterCrash(slot: Slot, crash: DaemonCrash, signal: AbortSignal): Promise<boolean> {
    // Not under the control lock: a stop meanwhile wins its guarded write and aborts `signal`.
    {
      if (signal.aborted) return false;
      if (!shouldRestart(slot.rec.restartCount)) {
        await this.transition(slot, 'fail', { error: crash.message });
        return false;
      }
      const attempt = slot.rec.restartCount + 1;
      if (!(await this.transition(slot, 'restart', { restartCount: attempt, error: crash.message }))) return false;
      await sleep(restartDelayMs(attempt, this.options.restartBaseMs), signal);
      if (signal.aborted) return false;
      for (;;) {
        try {
          await slot.daemon.setUp();
          break;
        } catch (err) {
          if (!shouldRestart(slot.rec.restartCount)) {
            await this.transition(slot, 'startFailed', { error: errorMessage(err) });
            return false;
          }
          const next = slot.rec.restartCount + 1;
          await this.write(slot, { restartCount: next, error: errorMessage(err) }, ['STARTING']);
          await sleep(restartDelayMs(next, this.options.restartBaseMs), signal);
          if (signal.aborted) return false;
        }
      }
      if (!(await this.transition(slot, 'started', { startedAt: new Date(), nextRunAt: new Date() }))) return false;
      if (slot.rec.paused) await this.transition(slot, 'pause', {});
      return true;
    }
  }

  /** Stops one daemon (no dependents check). Caller holds the lock. Returns whether it changed. */
  private async stopOne(slot: Slot): Promise<boolean> {
    if (slot.rec.state === 'REGISTERED' || slot.rec.state === 'STOPPED' || slot.rec.state === 'FAILED') return false;
    if (slot.rec.state !== 'STOPPING' && !(await this.transition(slot, 'stop', {}))) return false;
    slot.activity.cancel();
    slot.abort?.abort();
    slot.wake?.();
    if (slot.loop) {
      const finished = await Promise.race([
        slot.loop.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), this.options.stopTimeoutMs).unref()),
      ]);
      if (!finished) this.log.warn({ daemon: slot.def.key }, 'daemon cycle ignored its abort signal; stopping without it');
    }
    slot.loop = null;
    slot.abort = null;
    try {
      await slot.daemon.tearDown();
    } catch (err) {
      this.log.warn({ daemon: slot.def.key, err: errorMessage(err) }, 'daemon tear-down failed');
    }
    return this.transition(slot, 'stopped', {
      stoppedAt: new Date(),
      activityMessage: null,
      activityJobId: null,
      activityJobType: null,
      activityUpdatedAt: null,
    });
  }

  private async wait(slot: Slot, ms: number, signal: AbortSignal): Promise<void> {
    const inner = new AbortController();
    slot.wake = () => inner.abort();
    const onAbort = (): void => inner.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    await sleep(ms, inner.signal);
    signal.removeEventListener('abort', onAbort);
    slot.wake = null;
  }

  // ---- activity ----------------------------------------------------------------------------

  /**
   * Activity of work a daemon does outside its cycle (the post-processing of a download filed by
   * the download stage): shown while the daemon is live, throttled like a cycle's reports.
   */
  reportActivity(name: string, message: string, job?: ActivityJob): void {
    const slot = this.slots.get(name);
    if (slot) this.report(slot, message, job);
  }

  private report(slot: Slot, message: string, job?: ActivityJob): void {
    if (!isLive(slot.rec.state)) return;
    slot.activity.push({
      message: clampActivityMessage(message),
      jobId: job?.jobId ?? null,
      jobType: job?.jobType ?? null,
      updatedAt: new Date(),
    });
  }

  private async flushActivity(name: string, a: ActivityView): Promise<void> {
    const slot = this.slot(name);
    try {
      await this.write(
        slot,
        { activityMessage: a.message, activityJobId: a.jobId, activityJobType: a.jobType, activityUpdatedAt: a.updatedAt },
        ['STARTING', 'RUNNING', 'PAUSED'],
      );
    } catch (err) {
      this.log.warn({ daemon: name, err: errorMessage(err) }, 'could not save activity');
    }
  }

  // ---- writes ------------------------------------------------------------------------------

  /** One guarded write for a lifecycle event; on success mirrors, publishes and returns true. */
  private async transition(slot: Slot, event: DaemonEvent, patch: DaemonPatch): Promise<boolean> {
    const t = DAEMON_TRANSITIONS[event];
    if (!t.from.includes(slot.rec.state)) return false;
    const status = statusAfterLifecycle(event, slot.rec.status);
    const full: DaemonPatch = { ...patch, status };
    if (!(await this.store.transition(slot.def.key, t.from, t.to, full))) return false;
    slot.rec = { ...slot.rec, ...full, state: t.to };
    this.publish(slot, true);
    return true;
  }

  private async transitionStatus(slot: Slot, event: StatusEvent, patch: DaemonPatch): Promise<boolean> {
    const to = nextDaemonStatus(slot.rec.status, event);
    if (to === null) return false;
    const from = STATUS_TRANSITIONS[event].from;
    if (!(await this.store.transitionStatus(slot.def.key, from, to, patch))) return false;
    slot.rec = { ...slot.rec, ...patch, status: to };
    this.publish(slot, false);
    return true;
  }

  /** An unguarded write of single-writer fields, or guarded by state when `onlyIn` is given. */
  private async write(slot: Slot, patch: DaemonPatch, onlyIn?: readonly DaemonState[]): Promise<void> {
    if (onlyIn && !onlyIn.includes(slot.rec.state)) return;
    if (!(await this.store.update(slot.def.key, patch, onlyIn))) return;
    slot.rec = { ...slot.rec, ...patch };
    this.publish(slot, false);
  }

  private publish(slot: Slot, stateChanged: boolean): void {
    this.bus.publish('daemon:changed', this.view(slot), slot.def.key);
    if (stateChanged) this.bus.publish('orchestrator:changed', this.overview());
  }

  // ---- helpers -----------------------------------------------------------------------------

  private view(slot: Slot): WorkerView {
    const r = slot.rec;
    return {
      name: slot.def.key,
      displayName: slot.def.displayName,
      category: slot.def.category,
      priority: slot.def.priority,
      required: slot.def.required,
      dependsOn: slot.def.dependsOn,
      dependents: slot.dependents,
      enabled: r.enabled,
      paused: r.paused,
      state: r.state,
      status: r.status,
      availableActions: availableActions(r.state),
      activity:
        r.activityMessage !== null && r.activityUpdatedAt !== null
          ? { message: r.activityMessage, jobId: r.activityJobId, jobType: r.activityJobType, updatedAt: r.activityUpdatedAt }
          : null,
      startedAt: r.startedAt,
      stoppedAt: r.stoppedAt,
      error: r.error,
      restartCount: r.restartCount,
      intervalSeconds: r.intervalSeconds,
      lastRunAt: r.lastRunAt,
      nextRunAt: isLive(r.state) ? r.nextRunAt : null,
      runCount: r.runCount,
      errorCount: r.errorCount,
      lastError: r.lastError,
      details: slot.daemon.details({
        lastRunAt: r.lastRunAt,
        nextRunAt: isLive(r.state) ? r.nextRunAt : null,
        lastError: r.lastError,
        intervalSeconds: r.intervalSeconds,
      }),
    };
  }

  private slot(name: string): Slot {
    const s = this.slots.get(name);
    if (!s) throw new Error(`unknown daemon ${name}`);
    return s;
  }

  private withLock<T>(slot: Slot, fn: () => Promise<T>): Promise<T> {
    const run = slot.lock.then(fn, fn);
    slot.lock = run.catch(() => undefined);
    return run;
  }

  private ok(slot: Slot, changed: boolean, message: string): ControlResult {
    return { ok: true, changed, message, worker: this.view(slot) };
  }

  private unknown(name: string): ControlResult {
    return { ok: false, error: { kind: 'unknownWorker', name, message: `Worker '${name}' not found` } };
  }

  private invalid(slot: Slot, action: WorkerAction): ControlResult {
    const state = slot.rec.state;
    return {
      ok: false,
      error: {
        kind: 'invalidTransition',
        worker: slot.def.key,
        state,
        action,
        message: `Worker '${slot.def.key}' cannot ${action.toLowerCase().replace('_', ' ')} while ${state.toLowerCase()}`,
      },
    };
  }
}
