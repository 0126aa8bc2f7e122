import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { client } from '../graphql/client.js';
import {
  DaemonStatusSubscription,
  PauseWorkerMutation,
  ResumeWorkerMutation,
  RunWorkerNowMutation,
  SetCleanupDryRunMutation,
  SetWorkerEnabledMutation,
  SetWorkerIntervalMutation,
  StartWorkerMutation,
  StopWorkerMutation,
  WorkersSnapshotQuery,
} from '../graphql/documents.js';
import type { DaemonCategory, Worker, WorkerControlResult } from '../graphql/types.js';
import { canDo, type WorkerCommand } from '../worker-actions.js';
import { confirmation } from './confirm.svelte.js';
import { connection } from './connection.svelte.js';

/** What the sidebar indicator shows for all daemons together. */
export type OverallStatus = 'error' | 'active' | 'idle' | 'stopped';

/** The answer to the last control sent to one worker, shown next to it. */
export interface ControlFeedback {
  tone: 'error' | 'info';
  message: string;
}

export interface CategoryGroup {
  category: DaemonCategory;
  workers: Worker[];
}

type ControlDocument<V extends AnyVariables> = TypedDocumentNode<{ result: WorkerControlResult }, V>;

/** Error beats active beats idle; only when nothing runs is the whole thing "stopped". */
export function overallStatus(workers: readonly Worker[]): OverallStatus {
  if (workers.some((w) => w.status === 'ERROR' || w.state === 'FAILED')) return 'error';
  if (workers.some((w) => w.status === 'ACTIVE')) return 'active';
  if (workers.some((w) => w.status === 'IDLE')) return 'idle';
  return 'stopped';
}

/** Groups keep the order in which their first worker appears (the API's start order). */
export function groupByCategory(workers: readonly Worker[]): CategoryGroup[] {
  const groups: CategoryGroup[] = [];
  for (const worker of workers) {
    const group = groups.find((g) => g.category === worker.category);
    if (group) group.workers.push(worker);
    else groups.push({ category: worker.category, workers: [worker] });
  }
  return groups;
}

/**
 * Every daemon, keyed by name: filled by one snapshot query, then kept current by the
 * daemonStatus subscription, whose events each carry the whole worker.
 */
class WorkersState {
  #byName = new SvelteMap<string, Worker>();
  #order = $state<string[]>([]);
  /** Events that arrived while a snapshot was in flight; replayed on top of it. */
  #sinceSnapshot: Worker[] | null = null;
  #snapshotSeq = 0;

  loading = $state(true);
  loadError = $state<string | null>(null);
  /** Workers with a control request in flight (their buttons are disabled meanwhile). */
  pending = new SvelteSet<string>();
  feedback = new SvelteMap<string, ControlFeedback>();

  list = $derived(
    this.#order.flatMap((name) => {
      const worker = this.#byName.get(name);
      return worker ? [worker] : [];
    }),
  );
  groups = $derived(groupByCategory(this.list));
  overall = $derived(overallStatus(this.list));

  get(name: string): Worker | undefined {
    return this.#byName.get(name);
  }

  displayName(name: string): string {
    return this.#byName.get(name)?.displayName ?? name;
  }

  /** Loads the snapshot and follows live changes; returns the function that stops following. */
  follow(): () => void {
    void this.refresh();
    const subscription = client.subscription(DaemonStatusSubscription, {}).subscribe((result) => {
      const worker = result.data?.daemonStatus.worker;
      if (!worker) return;
      this.#apply(worker);
      this.#sinceSnapshot?.push(worker);
    });
    const stopReconnect = connection.onReconnect(() => void this.refresh());
    return () => {
      subscription.unsubscribe();
      stopReconnect();
    };
  }

  /** Fetches every worker afresh (network-only) and replaces what we hold. */
  async refresh(): Promise<void> {
    const seq = ++this.#snapshotSeq;
    const seen: Worker[] = [];
    this.#sinceSnapshot = seen;
    const result = await client
      .query(WorkersSnapshotQuery, {}, { requestPolicy: 'network-only' })
      .toPromise();
    if (seq !== this.#snapshotSeq) return; // a newer refresh has started; it wins
    this.#sinceSnapshot = null;
    this.loading = false;
    if (!result.data) {
      this.loadError = result.error?.message ?? 'No data';
      return;
    }
    this.loadError = null;
    this.#replaceAll(result.data.workers);
    // The query may have been answered before some of these events happened.
    for (const worker of seen) this.#apply(worker);
  }

  #replaceAll(workers: readonly Worker[]): void {
    const names = new Set(workers.map((w) => w.name));
    for (const name of [...this.#byName.keys()]) if (!names.has(name)) this.#byName.delete(name);
    for (const worker of workers) this.#byName.set(worker.name, worker);
    this.#order = workers.map((w) => w.name);
  }

  #apply(worker: Worker): void {
    if (!this.#byName.has(worker.name) && !this.#order.includes(worker.name)) {
      this.#order.push(worker.name);
    }
    this.#byName.set(worker.name, worker);
  }

  /**
   * A control's payload may be answered after newer daemonStatus events (HTTP and the socket
   * race), so the lifecycle fields stay as the event stream last said; the settings the
   * payload carries (interval, enabled, details) are taken from it.
   */
  #applyControlled(worker: Worker): void {
    const current = this.#byName.get(worker.name);
    if (!current) return this.#apply(worker);
    const { state, status, activity, paused, startedAt, stoppedAt, error, restartCount } = current;
    this.#apply({ ...worker, state, status, activity, paused, startedAt, stoppedAt, error, restartCount });
  }

  // ---- controls ------------------------------------------------------------------------

  async startWorker(name: string): Promise<void> {
    await this.#send(name, StartWorkerMutation, { name });
  }

  async pauseWorker(name: string): Promise<void> {
    await this.#send(name, PauseWorkerMutation, { name });
  }

  async resumeWorker(name: string): Promise<void> {
    await this.#send(name, ResumeWorkerMutation, { name });
  }

  async runWorkerNow(name: string): Promise<void> {
    await this.#send(name, RunWorkerNowMutation, { name });
  }

  async setWorkerInterval(name: string, seconds: number): Promise<void> {
    await this.#send(name, SetWorkerIntervalMutation, { name, seconds });
  }

  /** Enabling starts the daemon; disabling stops it, with the same questions as Stop. */
  async setWorkerEnabled(name: string, enabled: boolean): Promise<void> {
    if (enabled) {
      await this.#send(name, SetWorkerEnabledMutation, { name, enabled, cascade: false });
      return;
    }
    await this.#withStopQuestions(name, (cascade) =>
      this.#send(name, SetWorkerEnabledMutation, { name, enabled, cascade }),
    );
  }

  async stopWorker(name: string): Promise<void> {
    await this.#withStopQuestions(name, (cascade) =>
      this.#send(name, StopWorkerMutation, { name, cascade }),
    );
  }

  /**
   * Critical or required daemons are only stopped after a yes; when others depend on one,
   * the server refuses and we offer to stop those too (cascade).
   */
  async #withStopQuestions(
    name: string,
    send: (cascade: boolean) => Promise<WorkerControlResult | null>,
  ): Promise<void> {
    const worker = this.get(name);
    if (!worker) return;
    const critical = worker.required || worker.category === 'CRITICAL';
    if (critical && canDo(worker.availableActions, 'stop')) {
      const confirmed = await confirmation.ask({ kind: 'stop-critical', worker: worker.displayName });
      if (!confirmed) return;
    }
    const result = await send(false);
    if (result?.__typename !== 'DependentsRunningError') return;
    const cascade = await confirmation.ask({
      kind: 'stop-dependents',
      worker: worker.displayName,
      dependents: result.dependents.map((dependent) => this.displayName(dependent)),
    });
    if (cascade) await send(true);
    else this.feedback.set(name, { tone: 'error', message: result.message });
  }

  /** Turning dry run off makes cleanup delete files and finished jobs for real, so it asks first. */
  async setCleanupDryRun(dryRun: boolean): Promise<void> {
    const cleanup = this.get('cleanup');
    if (!dryRun) {
      const details = cleanup?.details.__typename === 'CleanupDetails' ? cleanup.details : null;
      const retentionDays = details?.retentionDays ?? 7;
      const jobRetentionDays = details?.jobRetentionDays ?? 30;
      if (!(await confirmation.ask({ kind: 'dry-run-off', retentionDays, jobRetentionDays }))) return;
    }
    await this.#send('cleanup', SetCleanupDryRunMutation, { dryRun });
  }

  dismissFeedback(name: string): void {
    this.feedback.delete(name);
  }

  /** The one entry point for the worker cards. */
  dispatch(name: string, command: WorkerCommand): Promise<void> {
    switch (command.type) {
      case 'start':
        return this.startWorker(name);
      case 'stop':
        return this.stopWorker(name);
      case 'pause':
        return this.pauseWorker(name);
      case 'resume':
        return this.resumeWorker(name);
      case 'runNow':
        return this.runWorkerNow(name);
      case 'interval':
        return this.setWorkerInterval(name, command.seconds);
      case 'enabled':
        return this.setWorkerEnabled(name, command.enabled);
      case 'dryRun':
        return this.setCleanupDryRun(command.dryRun);
      case 'dismiss':
        this.dismissFeedback(name);
        return Promise.resolve();
    }
  }

  /**
   * Sends one control and records its outcome next to the worker. A DependentsRunningError
   * is handed back to the caller, which decides whether to ask for a cascade.
   */
  async #send<V extends AnyVariables>(
    name: string,
    document: ControlDocument<V>,
    variables: V,
  ): Promise<WorkerControlResult | null> {
    this.pending.add(name);
    this.feedback.delete(name);
    try {
      const response = await client.mutation(document, variables).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.feedback.set(name, { tone: 'error', message: response.error?.message ?? 'No response' });
        return null;
      }
      switch (result.__typename) {
        case 'WorkerControlPayload':
          this.#applyControlled(result.worker);
          if (!result.changed) this.feedback.set(name, { tone: 'info', message: result.message });
          break;
        case 'DependentsRunningError':
          break;
        default:
          this.feedback.set(name, { tone: 'error', message: result.message });
      }
      return result;
    } finally {
      this.pending.delete(name);
    }
  }
}

export const workers = new WorkersState();
