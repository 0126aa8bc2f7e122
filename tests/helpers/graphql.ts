import { gql } from './app.js';

/** The Worker fields the integration tests look at. */
export const WORKER_FIELDS = /* GraphQL */ `
  name
  state
  status
  enabled
  paused
  required
  dependsOn
  intervalSeconds
  startedAt
  stoppedAt
  error
  restartCount
  runCount
  errorCount
  lastError
  lastRunAt
  activity { message jobId jobType updatedAt }
`;

export interface WorkerData {
  name: string;
  state: string;
  status: string;
  enabled: boolean;
  paused: boolean;
  required: boolean;
  dependsOn: string[];
  intervalSeconds: number;
  startedAt: string | null;
  stoppedAt: string | null;
  error: string | null;
  restartCount: number;
  runCount: number;
  errorCount: number;
  lastError: string | null;
  lastRunAt: string | null;
  activity: { message: string; jobId: string | null; jobType: string | null; updatedAt: string } | null;
}

/** Every member of WorkerControlResult, with its fields. */
export const CONTROL_RESULT_FIELDS = /* GraphQL */ `
  __typename
  ... on WorkerControlPayload { changed message worker { ${WORKER_FIELDS} } }
  ... on Error { message }
  ... on UnknownWorkerError { name }
  ... on InvalidTransitionError { workerName: worker state action }
  ... on DependentsRunningError { workerName: worker dependents }
  ... on InvalidArgumentError { argument }
`;

export interface ControlResultData {
  __typename: 'WorkerControlPayload' | 'UnknownWorkerError' | 'InvalidTransitionError' | 'DependentsRunningError' | 'InvalidArgumentError';
  message: string;
  changed?: boolean;
  worker?: WorkerData;
  /** `worker` of the error types (a key). */
  workerName?: string;
  name?: string;
  state?: string;
  action?: string;
  dependents?: string[];
  argument?: string;
}

/** A GraphQL literal for a JS value (strings, numbers, booleans, lists of them). */
function literal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  return JSON.stringify(v);
}

/** Runs one control mutation, e.g. control(url, 'stopWorker', { name: 'x', cascade: true }). */
export async function control(url: string, field: string, args: Record<string, unknown>): Promise<ControlResultData> {
  const argList = Object.entries(args)
    .map(([k, v]) => `${k}: ${literal(v)}`)
    .join(', ');
  const data = await gql<{ r: ControlResultData }>(url, `mutation { r: ${field}(${argList}) { ${CONTROL_RESULT_FIELDS} } }`);
  return data.r;
}

/** Like `control`, but fails unless the result is a WorkerControlPayload. */
export async function controlOk(url: string, field: string, args: Record<string, unknown>): Promise<ControlResultData & { worker: WorkerData }> {
  const r = await control(url, field, args);
  if (r.__typename !== 'WorkerControlPayload') throw new Error(`${field}(${JSON.stringify(args)}) → ${r.__typename}: ${r.message}`);
  return r as ControlResultData & { worker: WorkerData };
}

export async function getWorker(url: string, name: string, extra = ''): Promise<WorkerData | null> {
  const data = await gql<{ worker: WorkerData | null }>(url, `query ($name: String!) { worker(name: $name) { ${WORKER_FIELDS} ${extra} } }`, { name });
  return data.worker;
}

/**
 * Whether a daemon's last cycle has ended with its closing activity: written after the run
 * (updatedAt ≥ lastRunAt), not a progress line of the cycle. A failed cycle (status ERROR)
 * writes none: its last progress line stays.
 */
function cycleClosed(w: WorkerData | null): w is WorkerData {
  if (!w || w.status === 'ACTIVE') return false;
  return w.status === 'ERROR' || (!!w.lastRunAt && !!w.activity && Date.parse(w.activity.updatedAt) >= Date.parse(w.lastRunAt));
}

/** Runs one cycle of a daemon now and waits until it has ended with its closing activity (see cycleClosed). */
export async function runCycleNow<W extends WorkerData = WorkerData>(url: string, name: string, extra = '', timeoutMs = 15_000): Promise<W> {
  const before = (await getWorker(url, name))?.runCount ?? 0;
  await controlOk(url, 'runWorkerNow', { name });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const w = (await getWorker(url, name, extra)) as W | null;
    if (cycleClosed(w) && w.runCount > before) return w;
    if (Date.now() > deadline) throw new Error(`no finished ${name} cycle within ${timeoutMs} ms; last: ${JSON.stringify(w)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The cycle a daemon runs when it starts (or its first one since), once it has ended with its closing activity. */
export async function firstCycleDone(url: string, name: string, timeoutMs = 15_000): Promise<WorkerData> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const w = await getWorker(url, name);
    if (cycleClosed(w) && w.runCount >= 1) return w;
    if (Date.now() > deadline) throw new Error(`no finished first ${name} cycle within ${timeoutMs} ms; last: ${JSON.stringify(w)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function getWorkers(url: string): Promise<WorkerData[]> {
  return (await gql<{ workers: WorkerData[] }>(url, `{ workers { ${WORKER_FIELDS} } }`)).workers;
}

export const DAEMON_STATUS_SUB = (extra = ''): string => /* GraphQL */ `
  subscription ($name: String) { daemonStatus(name: $name) { worker { ${WORKER_FIELDS} ${extra} } } }
`;

export interface DaemonStatusData<W = WorkerData> {
  daemonStatus: { worker: W };
}
