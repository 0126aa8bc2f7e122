import type { Lane } from '../../server/domain/jobs/types.js';
import type { ItemContext, ItemHandler, ItemOutcome, ItemPlanner } from '../../server/runner/executor.js';
import { gql } from './app.js';
import { Gate, type EventCollector } from './events.js';

// ---- GraphQL documents and shapes ----------------------------------------------------------

/** The TaskRow fields the task-center tests look at. */
export const ROW_FIELDS = /* GraphQL */ `
  id
  jobId
  jobType
  displayName
  status
  lane
  queuePosition
  queueLabel
  scopeSummary { kind count }
  completedItems
  totalItems
  progressPercent
  activeWorkerCount
  speedBytesPerSec
  canPause
  canResume
  canCancel
  waitingReason { kind lane runningJobIds aheadJobIds until }
  createdAt
  startedAt
  finishedAt
`;

export interface WaitingReasonData {
  kind: 'PAUSED' | 'BACKING_OFF' | 'LANE_BUSY' | 'BEHIND_IN_QUEUE' | 'STARTING_SOON';
  lane: string | null;
  runningJobIds: number[];
  aheadJobIds: number[];
  until: string | null;
}

export interface TaskRowData {
  id: string;
  jobId: number;
  jobType: string;
  displayName: string;
  status: string;
  lane: string;
  queuePosition: number | null;
  queueLabel: string | null;
  scopeSummary: { kind: string; count: number | null };
  completedItems: number;
  totalItems: number;
  progressPercent: number | null;
  activeWorkerCount: number;
  speedBytesPerSec: number | null;
  canPause: boolean;
  canResume: boolean;
  canCancel: boolean;
  waitingReason: WaitingReasonData | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The Job fields the task-center tests look at. */
export const JOB_FIELDS = /* GraphQL */ `
  id
  jobId
  jobType
  status
  lane
  priority
  error
  canPause
  canResume
  canCancel
  startedAt
  finishedAt
  stages { stageType status totalItems succeededItems failedItems skippedItems canceledItems }
  workers { name status currentDisplayText downloadedBytes totalBytes speedBytesPerSec progressPercent processedCount errorCount }
`;

export interface StageData {
  stageType: string;
  status: string;
  totalItems: number;
  succeededItems: number;
  failedItems: number;
  skippedItems: number;
  canceledItems: number;
}

export interface JobWorkerData {
  name: string;
  status: string;
  currentDisplayText: string | null;
  downloadedBytes: number;
  totalBytes: number | null;
  speedBytesPerSec: number | null;
  progressPercent: number | null;
  processedCount: number;
  errorCount: number;
}

export interface JobData {
  id: string;
  jobId: number;
  jobType: string;
  status: string;
  lane: string;
  priority: number;
  error: string | null;
  canPause: boolean;
  canResume: boolean;
  canCancel: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  stages: StageData[];
  workers: JobWorkerData[];
}

export const JOB_RESULT_FIELDS = /* GraphQL */ `
  __typename
  ... on JobPayload { job { ${JOB_FIELDS} } }
  ... on Error { message }
  ... on InvalidJobTransitionError { status action }
  ... on JobNotFoundError { notFoundId: id }
  ... on InvalidArgumentError { argument }
`;

export interface JobResultData {
  __typename: 'JobPayload' | 'JobNotFoundError' | 'InvalidJobTransitionError' | 'InvalidArgumentError';
  job?: JobData;
  message?: string;
  status?: string;
  action?: string;
  notFoundId?: string;
  argument?: string;
}

export interface LaneData {
  name: string;
  limit: number;
  running: number;
  queued: number;
}

export type JobCommand = 'pauseJob' | 'resumeJob' | 'cancelJob' | 'retryFailedItems';

// ---- API calls -----------------------------------------------------------------------------

export async function createJob(url: string, jobType: string, extra: { priority?: number; playlistIds?: string[] } = {}): Promise<JobResultData> {
  const data = await gql<{ r: JobResultData }>(url, `mutation ($input: CreateJobInput!) { r: createJob(input: $input) { ${JOB_RESULT_FIELDS} } }`, {
    input: { jobType, ...extra },
  });
  return data.r;
}

/** createJob that fails unless a job was created. */
export async function createJobOk(url: string, jobType: string, extra: { priority?: number; playlistIds?: string[] } = {}): Promise<JobData> {
  const r = await createJob(url, jobType, extra);
  if (r.__typename !== 'JobPayload' || !r.job) throw new Error(`createJob(${jobType}) → ${r.__typename}: ${r.message ?? ''}`);
  return r.job;
}

export async function jobCommand(url: string, command: JobCommand, id: string | number): Promise<JobResultData> {
  const data = await gql<{ r: JobResultData }>(url, `mutation ($id: ID!) { r: ${command}(id: $id) { ${JOB_RESULT_FIELDS} } }`, { id: String(id) });
  return data.r;
}

export async function getJob(url: string, id: string | number): Promise<JobData | null> {
  return (await gql<{ job: JobData | null }>(url, `query ($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id: String(id) })).job;
}

export async function getRows(url: string, first = 50): Promise<TaskRowData[]> {
  const data = await gql<{ taskCenter: { edges: { node: TaskRowData }[] } }>(url, `query ($first: Int) { taskCenter(first: $first) { edges { node { ${ROW_FIELDS} } } } }`, {
    first,
  });
  return data.taskCenter.edges.map((e) => e.node);
}

export async function getRow(url: string, jobId: number): Promise<TaskRowData> {
  const row = (await getRows(url, 200)).find((r) => r.jobId === jobId);
  if (!row) throw new Error(`job ${jobId} is not in the task center`);
  return row;
}

export async function getLanes(url: string): Promise<LaneData[]> {
  return (await gql<{ lanes: LaneData[] }>(url, '{ lanes { name limit running queued } }')).lanes;
}

// ---- waiting -------------------------------------------------------------------------------

/**
 * Re-reads `probe` until `ok` holds and returns that value; fails after `timeoutMs` with the
 * last value read, so a failure says where things stood.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 5000, intervalMs = 20): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (performance.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until the job (read over GraphQL) matches. */
export function waitForJob(url: string, id: string | number, ok: (job: JobData) => boolean, what: string, timeoutMs = 5000): Promise<JobData> {
  return waitFor(
    async () => getJob(url, id),
    (j): boolean => j !== null && ok(j),
    `${what} (job ${id})`,
    timeoutMs,
  ) as Promise<JobData>;
}

export const FINAL_STATUSES = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELED'];

/**
 * A taskCenter subscription only sees what is published after the server registered it, and it
 * has no snapshot to say so: create probe jobs (COLLECT_ONLY; without collect items they finish at
 * once) until one of their events arrives, so events after this call are not missed.
 */
export async function untilTaskCenterLive(url: string, sub: EventCollector<{ taskCenter: { row: { jobId: number } | null } }>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const probe = await createJobOk(url, 'COLLECT_ONLY');
    try {
      await sub.next((e) => e.taskCenter.row?.jobId === probe.jobId, 250, 'a probe event');
      return;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('no a probe event')) throw err;
    }
  }
  throw new Error('the taskCenter subscription never went live');
}

// ---- stage work ----------------------------------------------------------------------------

/** A planner giving every stage it runs for `n` items: `${prefix}-00` … with "Song i / Artist" labels. */
export function planItems(n: number, prefix = 'item'): ItemPlanner {
  return async () => Array.from({ length: n }, (_, i) => ({ itemKey: `${prefix}-${String(i).padStart(2, '0')}`, label: `Song ${i} / Artist` }));
}

/** The index in an item key made by planItems. */
export function itemIndex(ctx: ItemContext): number {
  return Number(ctx.item.itemKey.split('-').at(-1));
}

export interface ProbeOptions {
  /** Items for which this returns true wait until the gate opens (or their signal aborts: then they throw). */
  hold?: (ctx: ItemContext) => boolean;
  /** The item's outcome once it may go on; succeeded by default. */
  outcome?: (ctx: ItemContext) => ItemOutcome | Promise<ItemOutcome>;
}

/**
 * An item handler that records what it does: starts and successes per `jobId/itemKey`, items
 * held at the gate right now, and the most jobs of one lane it ever saw working at once.
 */
export class ItemProbe {
  gate = new Gate();
  readonly starts = new Map<string, number>();
  readonly successes = new Map<string, number>();
  private held = 0;
  private readonly inFlight = new Map<number, { lane: Lane; n: number }>();
  private readonly maxJobs: Record<Lane, number> = { download: 0, general: 0 };

  constructor(private readonly options: ProbeOptions = {}) {}

  readonly handle: ItemHandler = async (ctx) => {
    const key = `${ctx.job.id}/${ctx.item.itemKey}`;
    this.starts.set(key, (this.starts.get(key) ?? 0) + 1);
    const mine = this.inFlight.get(ctx.job.id) ?? { lane: ctx.job.lane, n: 0 };
    mine.n++;
    this.inFlight.set(ctx.job.id, mine);
    const jobsOfLane = [...this.inFlight.values()].filter((v) => v.lane === ctx.job.lane && v.n > 0).length;
    this.maxJobs[ctx.job.lane] = Math.max(this.maxJobs[ctx.job.lane], jobsOfLane);
    try {
      if (this.options.hold?.(ctx) && !this.gate.isOpen) {
        this.held++;
        try {
          await this.gate.wait(ctx.signal);
        } finally {
          this.held--;
        }
        if (ctx.signal.aborted) throw new Error(`aborted: ${String(ctx.signal.reason)}`);
      }
      const outcome = (await this.options.outcome?.(ctx)) ?? { status: 'succeeded' as const };
      if (outcome.status === 'succeeded') this.successes.set(key, (this.successes.get(key) ?? 0) + 1);
      return outcome;
    } finally {
      mine.n--;
    }
  };

  /** Items waiting at the gate now. */
  heldCount(): number {
    return this.held;
  }

  /** The most jobs of `lane` that had items in this handler at the same time. */
  maxJobsAtOnce(lane: Lane): number {
    return this.maxJobs[lane];
  }

  /** Closes the gate again (items held from now on wait for the next open). */
  closeGate(): void {
    this.gate = new Gate();
  }

  /** Successes of one job, per item key. */
  successesOf(jobId: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, n] of this.successes) if (k.startsWith(`${jobId}/`)) out.set(k.slice(String(jobId).length + 1), n);
    return out;
  }

  startsOf(jobId: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, n] of this.starts) if (k.startsWith(`${jobId}/`)) out.set(k.slice(String(jobId).length + 1), n);
    return out;
  }
}
