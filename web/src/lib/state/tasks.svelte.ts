import type { OperationResult, TypedDocumentNode } from '@urql/core';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { client } from '../graphql/client.js';
import {
  CancelJobMutation,
  CreateJobMutation,
  JobUpdatedSubscription,
  PauseJobMutation,
  RemoveJobMutation,
  ResumeJobMutation,
  TaskCenterQuery,
  TaskCenterSubscription,
} from '../graphql/documents.js';
import type {
  CreateJobInput,
  Job,
  JobResult,
  JobType,
  PageInfo,
  RemoveJobResult,
  TaskCenterEvent,
  TaskRow,
  TaskRowConnection,
} from '../graphql/types.js';
import { jobErrorText } from '../task-text.js';
import { confirmation } from './confirm.svelte.js';
import { connection } from './connection.svelte.js';
import { locale } from './locale.svelte.js';
import type { ControlFeedback } from './workers.svelte.js';

/** Rows per page, as the API's connection is asked for them. */
export const PAGE_SIZE = 50;
/** How far "open job N" pages through the list looking for an older job before giving up. */
const MAX_FOCUS_PAGES = 20;

type JobControl = TypedDocumentNode<{ result: JobResult | RemoveJobResult }, { id: string }>;

/** Newest first, as the API lists them: created later first, then the higher job number. */
export function newestFirst(a: TaskRow, b: TaskRow): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.jobId - a.jobId;
}

/** Whether `ref` (a job number or a global ID, as in #/jobs/<ref>) names this row. */
export function matchesJob(row: TaskRow, ref: string): boolean {
  return row.id === ref || String(row.jobId) === ref;
}

/**
 * The task center: pages of rows from the taskCenter query, kept current by the taskCenter
 * subscription (added / changed / removed rows), re-read after a reconnect. Expanded rows
 * follow their job's detail through jobUpdated while the page is open.
 */
class TaskCenterState {
  #byId = new SvelteMap<string, TaskRow>();
  /** Events that arrived while a snapshot was in flight; replayed on top of it. */
  #sinceSnapshot: TaskCenterEvent[] | null = null;
  #snapshotSeq = 0;
  #following = false;
  #detailSubscriptions = new Map<string, () => void>();

  rows = $derived([...this.#byId.values()].sort(newestFirst));
  pageInfo = $state.raw<PageInfo>({ hasNextPage: false, endCursor: null });
  loading = $state(true);
  loadingMore = $state(false);
  loadError = $state<string | null>(null);

  /** Rows with a control in flight (their buttons are disabled meanwhile). */
  pending = new SvelteSet<string>();
  /** The answer to the last control sent for a row, shown in it. */
  feedback = new SvelteMap<string, ControlFeedback>();
  creating = $state(false);
  createFeedback = $state<ControlFeedback | null>(null);

  /** Row ids whose detail is open. */
  expanded = new SvelteSet<string>();
  /** The live detail of each expanded job, by row id. */
  details = new SvelteMap<string, Job>();
  detailErrors = new SvelteMap<string, string>();
  /** A #/jobs/<ref> that names no job we could find. */
  missing = $state<string | null>(null);

  /** Loads the first page and follows live changes; returns the function that stops following. */
  follow(): () => void {
    this.#following = true;
    // Rows held from an earlier visit may be stale: "open job N" waits for the fresh list.
    this.loading = true;
    void this.refresh();
    const subscription = client.subscription(TaskCenterSubscription, {}).subscribe((result) => {
      const event = result.data?.taskCenter;
      if (!event) return;
      this.#apply(event);
      this.#sinceSnapshot?.push(event);
    });
    const stopReconnect = connection.onReconnect(() => void this.refresh());
    for (const id of this.expanded) this.#followDetail(id);
    return () => {
      this.#following = false;
      subscription.unsubscribe();
      stopReconnect();
      for (const id of [...this.#detailSubscriptions.keys()]) this.#unfollowDetail(id);
    };
  }

  /**
   * Reads the list afresh, as many rows as were shown before (page by page), and replaces
   * what we hold; events that arrived meanwhile are applied on top.
   */
  async refresh(): Promise<void> {
    const seq = ++this.#snapshotSeq;
    const seen: TaskCenterEvent[] = [];
    this.#sinceSnapshot = seen;
    const wanted = Math.max(PAGE_SIZE, this.#byId.size);
    const rows: TaskRow[] = [];
    let pageInfo: PageInfo = { hasNextPage: false, endCursor: null };
    let after: string | null = null;
    do {
      const result = await this.#fetchPage(after);
      if (seq !== this.#snapshotSeq) return; // a newer refresh has started; it wins
      if (!result.data) {
        this.#sinceSnapshot = null;
        this.loading = false;
        this.loadError = result.error?.message ?? 'No data';
        return;
      }
      const page = result.data.taskCenter;
      rows.push(...page.edges.map((edge) => edge.node));
      pageInfo = page.pageInfo;
      after = page.pageInfo.endCursor;
    } while (rows.length < wanted && pageInfo.hasNextPage && after !== null);
    this.#sinceSnapshot = null;
    this.loading = false;
    this.loadError = null;
    this.#replaceAll(rows, pageInfo);
    for (const event of seen) this.#apply(event);
  }

  /** The next page after the last row shown. */
  async loadMore(): Promise<boolean> {
    const after = this.pageInfo.endCursor;
    if (!this.pageInfo.hasNextPage || after === null || this.loadingMore) return false;
    this.loadingMore = true;
    const seq = this.#snapshotSeq;
    try {
      const result = await this.#fetchPage(after);
      // A snapshot taken meanwhile holds these rows or newer ones; its page info stands.
      if (seq !== this.#snapshotSeq || !result.data) return false;
      const page = result.data.taskCenter;
      // Rows already held came from a newer event or snapshot than this page.
      for (const edge of page.edges) if (!this.#byId.has(edge.node.id)) this.#byId.set(edge.node.id, edge.node);
      this.pageInfo = page.pageInfo;
      return page.edges.length > 0;
    } finally {
      this.loadingMore = false;
    }
  }

  #fetchPage(after: string | null): Promise<OperationResult<{ taskCenter: TaskRowConnection }>> {
    return client
      .query(TaskCenterQuery, { first: PAGE_SIZE, after }, { requestPolicy: 'network-only' })
      .toPromise();
  }

  /**
   * Opens the job that #/jobs/<ref> names, paging further back when it is older than the rows
   * shown; `missing` says so when it is not there at all.
   */
  async focus(ref: string): Promise<TaskRow | null> {
    this.missing = null;
    let pages = 0;
    for (;;) {
      const row = this.rows.find((r) => matchesJob(r, ref));
      if (row) {
        this.expand(row.id);
        return row;
      }
      if (this.loading || pages >= MAX_FOCUS_PAGES || !(await this.loadMore())) break;
      pages += 1;
    }
    if (!this.loading) this.missing = ref;
    return null;
  }

  #replaceAll(rows: readonly TaskRow[], pageInfo: PageInfo): void {
    const ids = new Set(rows.map((r) => r.id));
    for (const id of [...this.#byId.keys()]) if (!ids.has(id)) this.#forget(id);
    for (const row of rows) this.#byId.set(row.id, row);
    this.pageInfo = pageInfo;
  }

  #apply(event: TaskCenterEvent): void {
    if (event.kind === 'REMOVED' || !event.row) {
      this.#forget(event.id);
      return;
    }
    const row = event.row;
    if (this.#byId.has(row.id) || this.#withinLoaded(row)) this.#byId.set(row.id, row);
  }

  /** A row we do not hold yet belongs on screen unless it sorts among the pages not loaded. */
  #withinLoaded(row: TaskRow): boolean {
    if (!this.pageInfo.hasNextPage) return true;
    const oldest = this.rows.at(-1);
    return oldest === undefined || newestFirst(row, oldest) < 0;
  }

  #forget(id: string): void {
    this.#byId.delete(id);
    this.collapse(id);
    this.feedback.delete(id);
  }

  // ---- detail ----------------------------------------------------------------------------

  toggle(id: string): void {
    if (this.expanded.has(id)) this.collapse(id);
    else this.expand(id);
  }

  expand(id: string): void {
    if (this.expanded.has(id)) return;
    this.expanded.add(id);
    if (this.#following) this.#followDetail(id);
  }

  collapse(id: string): void {
    this.expanded.delete(id);
    this.#unfollowDetail(id);
    this.details.delete(id);
    this.detailErrors.delete(id);
  }

  /** jobUpdated sends the job first and then on every change, also after a reconnect. */
  #followDetail(id: string): void {
    if (this.#detailSubscriptions.has(id)) return;
    const subscription = client.subscription(JobUpdatedSubscription, { id }).subscribe((result) => {
      if (result.data) {
        this.details.set(id, result.data.jobUpdated);
        this.detailErrors.delete(id);
      } else if (result.error) {
        this.detailErrors.set(id, result.error.message);
      }
    });
    this.#detailSubscriptions.set(id, () => subscription.unsubscribe());
  }

  #unfollowDetail(id: string): void {
    this.#detailSubscriptions.get(id)?.();
    this.#detailSubscriptions.delete(id);
  }

  // ---- controls --------------------------------------------------------------------------

  async pause(row: TaskRow): Promise<void> {
    await this.#send(row.id, PauseJobMutation);
  }

  async resume(row: TaskRow): Promise<void> {
    await this.#send(row.id, ResumeJobMutation);
  }

  /** Cancelling cannot be undone, so it asks first. */
  async cancel(row: TaskRow): Promise<void> {
    const confirmed = await confirmation.ask({ kind: 'cancel-job', job: `${row.displayName} #${row.jobId}` });
    if (confirmed) await this.#send(row.id, CancelJobMutation);
  }

  /**
   * Removing a finished job cannot be undone, so it asks first. The row goes when the REMOVED
   * event arrives through the subscription, like a removal from anyone else.
   */
  async remove(row: TaskRow): Promise<void> {
    const confirmed = await confirmation.ask({ kind: 'remove-job', job: `${row.displayName} #${row.jobId}` });
    if (confirmed) await this.#send(row.id, RemoveJobMutation);
  }

  /** Creates a job; a task job takes its parameters (libraryScan / findDuplicates, defaults when left out). */
  async create(jobType: JobType, params: Omit<CreateJobInput, 'jobType'> = {}): Promise<Job | null> {
    this.creating = true;
    this.createFeedback = null;
    try {
      const response = await client.mutation(CreateJobMutation, { input: { jobType, ...params } }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.createFeedback = { tone: 'error', message: response.error?.message ?? 'No response' };
        return null;
      }
      if (result.__typename !== 'JobPayload') {
        this.createFeedback = { tone: 'error', message: jobErrorText(result, locale.current) ?? '' };
        return null;
      }
      // The row itself arrives through the taskCenter subscription, like anyone else's job.
      this.createFeedback = {
        tone: 'info',
        message: locale.t('task.created', { jobId: result.job.jobId }),
      };
      return result.job;
    } finally {
      this.creating = false;
    }
  }

  dismissCreateFeedback(): void {
    this.createFeedback = null;
  }

  dismissFeedback(id: string): void {
    this.feedback.delete(id);
  }

  /**
   * Sends one job control and records a typed error next to the row. Success needs no
   * feedback: the row and the detail change through their subscriptions, which also keeps
   * a late HTTP answer from overwriting a newer event.
   */
  async #send(id: string, document: JobControl): Promise<void> {
    this.pending.add(id);
    this.feedback.delete(id);
    try {
      const response = await client.mutation(document, { id }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.feedback.set(id, { tone: 'error', message: response.error?.message ?? 'No response' });
        return;
      }
      const error = jobErrorText(result, locale.current);
      if (error !== null) this.feedback.set(id, { tone: 'error', message: error });
    } finally {
      this.pending.delete(id);
    }
  }
}

export const tasks = new TaskCenterState();
