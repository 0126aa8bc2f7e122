import { describe, expect, it, onTestFinished } from 'vitest';
import { appPerTest, gql, type TestApp } from '../helpers/app.js';
import { controlOk, DAEMON_STATUS_SUB, type DaemonStatusData, type WorkerData } from '../helpers/graphql.js';
import {
  createJobOk,
  FINAL_STATUSES,
  getJob,
  getLanes,
  getRows,
  ItemProbe,
  planItems,
  ROW_FIELDS,
  untilTaskCenterLive,
  waitFor,
  waitForJob,
  type TaskRowData,
} from '../helpers/jobs.js';
import { subscribeWs } from '../helpers/ws.js';

type RowWithRemove = TaskRowData & { canRemove: boolean };
type TaskCenterEventData = { taskCenter: { kind: 'ADDED' | 'CHANGED' | 'REMOVED'; id: string; row: RowWithRemove | null } };

const TASK_CENTER_SUB = /* GraphQL */ `subscription { taskCenter { kind id row { ${ROW_FIELDS} canRemove } } }`;

interface RemoveResultData {
  __typename: 'RemoveJobPayload' | 'JobNotFoundError' | 'InvalidJobTransitionError';
  id?: string;
  jobId?: number;
  message?: string;
  status?: string;
  action?: string;
}

async function removeJob(url: string, id: string | number): Promise<RemoveResultData> {
  const data = await gql<{ r: RemoveResultData }>(
    url,
    /* GraphQL */ `mutation ($id: ID!) { r: removeJob(id: $id) {
      __typename
      ... on RemoveJobPayload { id jobId }
      ... on Error { message }
      ... on InvalidJobTransitionError { status action }
    } }`,
    { id: String(id) },
  );
  return data.r;
}

/** Rows under a job in every table that hangs off job_runs (read straight from the database). */
async function rowsUnder(t: TestApp, jobId: number): Promise<Record<string, number>> {
  const conn = t.app.orm.em.getConnection();
  const out: Record<string, number> = {};
  for (const table of ['job_runs', 'job_stages', 'job_items', 'job_workers', 'job_events', 'job_commands']) {
    const column = table === 'job_runs' ? 'id' : 'job_id';
    const [r] = (await conn.execute(`select count(*) as n from ${table} where ${column} = ?`, [jobId], 'all')) as { n: number }[];
    out[table] = Number(r?.n ?? 0);
  }
  return out;
}

/** Moves a job's times back, as if it had finished `days` ago (test set-up, straight in the database). */
async function age(t: TestApp, jobId: number, days: number): Promise<void> {
  const at = Date.now() - days * 24 * 3600 * 1000;
  await t.app.orm.em
    .getConnection()
    .execute(`update job_runs set created_at = ?, updated_at = ?, finished_at = iif(finished_at is null, null, ?) where id = ?`, [at, at, at, jobId], 'run');
}

const rowIdOf = (jobId: number): string => Buffer.from(`TaskRow:${jobId}`).toString('base64');

/** One app per test (stopped after it, also after a restart). */
const { start } = appPerTest();

describe('removeJob', () => {
  it('removes a completed job: subscribers see REMOVED, job(id) is null, and nothing is left under it', async () => {
    const t = await start({ stages: { download: { plan: planItems(4), handle: new ItemProbe().handle, workers: 2 } } });
    const sub = subscribeWs<TaskCenterEventData>(t.wsUrl, TASK_CENTER_SUB);
    onTestFinished(() => sub.close());
    await untilTaskCenterLive(t.url, sub);

    const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    const done = await sub.next((e) => e.taskCenter.row?.jobId === job.jobId && e.taskCenter.row.status === 'COMPLETED', 5000, 'the job COMPLETED');
    expect(done.taskCenter.row).toMatchObject({ canRemove: true, canCancel: false, totalItems: 4, completedItems: 4 });
    // a control on it leaves a command row too: all of it must go
    const cancel = await gql<{ r: { __typename: string } }>(t.url, `mutation ($id: ID!) { r: cancelJob(id: $id) { __typename } }`, { id: job.id });
    expect(cancel.r.__typename).toBe('InvalidJobTransitionError');
    const before = await rowsUnder(t, job.jobId);
    expect(before).toMatchObject({ job_runs: 1, job_stages: 1, job_items: 4, job_commands: 1 });
    expect(before.job_workers).toBeGreaterThan(0);
    expect(before.job_events).toBeGreaterThan(0);
    const lanesBefore = await getLanes(t.url);

    const rowId = done.taskCenter.id; // the TaskRow id the SPA keys its rows by
    const r = await removeJob(t.url, job.id);
    expect(r).toEqual({ __typename: 'RemoveJobPayload', id: rowId, jobId: job.jobId });

    const removed = await sub.next((e) => e.taskCenter.kind === 'REMOVED', 2000, 'REMOVED');
    expect(removed.taskCenter).toEqual({ kind: 'REMOVED', id: rowId, row: null });
    expect(await getJob(t.url, job.id)).toBeNull();
    expect((await getRows(t.url, 200)).map((row) => row.jobId)).not.toContain(job.jobId);
    expect(await rowsUnder(t, job.jobId)).toEqual({ job_runs: 0, job_stages: 0, job_items: 0, job_workers: 0, job_events: 0, job_commands: 0 });
    expect(await getLanes(t.url)).toEqual(lanesBefore);

    // a second removal finds nothing
    const again = await removeJob(t.url, job.id);
    expect(again).toMatchObject({ __typename: 'JobNotFoundError', message: `Job ${job.jobId} not found` });
  });

  it('refuses a running or queued job with a typed error naming its status, and changes nothing', async () => {
    const probe = new ItemProbe({ hold: () => true });
    const t = await start({ stages: { download: { plan: planItems(3), handle: probe.handle, workers: 1 } } });
    onTestFinished(() => probe.gate.open());
    const running = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    await waitFor(() => probe.heldCount(), (n) => n === 1, 'an item in flight');
    // its worker slot is written within progressWriteMs: wait for it, so the counts below hold still
    await waitFor(() => rowsUnder(t, running.jobId), (n) => n.job_workers === 1, 'the worker slot written');
    // the download lane holds one job: the next one queues behind it
    const queued = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    await waitForJob(t.url, queued.jobId, (j) => j.status === 'QUEUED', 'queued');
    const rowsBefore = await getRows(t.url);
    const underBefore = [await rowsUnder(t, running.jobId), await rowsUnder(t, queued.jobId)];
    expect(rowsBefore.find((r) => r.jobId === running.jobId)).toMatchObject({ status: 'RUNNING' });

    const sub = subscribeWs<TaskCenterEventData>(t.wsUrl, TASK_CENTER_SUB);
    onTestFinished(() => sub.close());
    await untilTaskCenterLive(t.url, sub);
    const mark = sub.mark();

    for (const [job, status] of [
      [running, 'RUNNING'],
      [queued, 'QUEUED'],
    ] as const) {
      const r = await removeJob(t.url, job.id);
      expect(r).toMatchObject({ __typename: 'InvalidJobTransitionError', status, action: 'remove' });
      expect(r.message).toContain(status.toLowerCase());
    }
    const row = await gql<{ job: { status: string; canRemove: boolean } }>(t.url, `query ($id: ID!) { job(id: $id) { status canRemove } }`, { id: running.id });
    expect(row.job).toEqual({ status: 'RUNNING', canRemove: false });
    expect(await rowsUnder(t, running.jobId)).toEqual(underBefore[0]);
    expect(await rowsUnder(t, queued.jobId)).toEqual(underBefore[1]);
    expect(sub.since(mark).filter((e) => e.taskCenter.kind === 'REMOVED')).toEqual([]);
  });

  it('an unknown id is JobNotFoundError', async () => {
    const t = await start();
    expect(await removeJob(t.url, 987654)).toMatchObject({ __typename: 'JobNotFoundError', message: 'Job 987654 not found' });
    expect(await removeJob(t.url, 'not-a-job')).toMatchObject({ __typename: 'JobNotFoundError' });
  });
});

type Cleanup = WorkerData & {
  details: { dryRun: boolean; jobRetentionDays: number; jobsFound: number; jobsRemoved: number; filesFound: number };
};

describe('cleanup daemon: finished-job retention', () => {
  it('dry run counts finished jobs past the retention and removes none; without dry run removes them and publishes REMOVED', async () => {
    const t = await start({ stages: { download: { plan: planItems(2), handle: new ItemProbe().handle, workers: 1 } } });
    const status = subscribeWs<DaemonStatusData<Cleanup>>(
      t.wsUrl,
      DAEMON_STATUS_SUB('details { ... on CleanupDetails { dryRun jobRetentionDays jobsFound jobsRemoved filesFound } }'),
      { name: 'cleanup' },
    );
    onTestFinished(() => status.close());
    const snap = await status.next(undefined, 3000, 'snapshot');
    expect(snap.daemonStatus.worker.details).toMatchObject({ dryRun: true, jobRetentionDays: 30, jobsFound: 0, jobsRemoved: 0 });

    const old1 = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    const old2 = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    const fresh = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    for (const j of [old1, old2, fresh]) await waitForJob(t.url, j.jobId, (x) => FINAL_STATUSES.includes(x.status), 'finished');
    // an old job that has not finished (paused before it ran) is never pruned
    await gql(t.url, `mutation { setLaneConcurrency(lane: "download", limit: 0) { __typename } }`);
    const paused = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    await gql(t.url, `mutation ($id: ID!) { pauseJob(id: $id) { __typename } }`, { id: paused.id });
    await waitForJob(t.url, paused.jobId, (x) => x.status === 'PAUSED', 'paused');
    for (const j of [old1, old2, paused]) await age(t, j.jobId, 40);
    await age(t, fresh.jobId, 29);

    const tasks = subscribeWs<TaskCenterEventData>(t.wsUrl, TASK_CENTER_SUB);
    onTestFinished(() => tasks.close());
    await untilTaskCenterLive(t.url, tasks); // its probe job (finished, not old) stays too
    const mark = tasks.mark();

    await controlOk(t.url, 'setWorkerEnabled', { name: 'cleanup', enabled: true });
    const dry = await status.next((e) => e.daemonStatus.worker.runCount === 1 && e.daemonStatus.worker.status === 'IDLE', 3000, 'dry-run cycle');
    expect(dry.daemonStatus.worker.details).toMatchObject({ dryRun: true, jobsFound: 2, jobsRemoved: 0 });
    const msg = await status.next((e) => /Dry run/.test(e.daemonStatus.worker.activity?.message ?? ''), 1000, 'dry-run activity');
    expect(msg.daemonStatus.worker.activity?.message).toContain('2 finished jobs older than 30 days would be removed');
    for (const j of [old1, old2, fresh, paused]) expect(await getJob(t.url, j.id), `job ${j.jobId}`).not.toBeNull();
    expect(tasks.since(mark).filter((e) => e.taskCenter.kind === 'REMOVED')).toEqual([]);

    await controlOk(t.url, 'setCleanupDryRun', { dryRun: false });
    await controlOk(t.url, 'runWorkerNow', { name: 'cleanup' });
    const real = await status.next((e) => e.daemonStatus.worker.runCount === 2 && e.daemonStatus.worker.status === 'IDLE', 3000, 'pruning cycle');
    expect(real.daemonStatus.worker.details).toMatchObject({ dryRun: false, jobsFound: 2, jobsRemoved: 2 });
    const removedMsg = await status.next((e) => /^Removed/.test(e.daemonStatus.worker.activity?.message ?? ''), 1000, 'pruning activity');
    expect(removedMsg.daemonStatus.worker.activity?.message).toContain('and 2 finished jobs older than 30 days');

    const removedIds = new Set<string>();
    while (removedIds.size < 2) removedIds.add((await tasks.next((e) => e.taskCenter.kind === 'REMOVED', 2000, 'REMOVED')).taskCenter.id);
    expect([...removedIds].sort()).toEqual([old1, old2].map((j) => rowIdOf(j.jobId)).sort());
    for (const j of [old1, old2]) {
      expect(await getJob(t.url, j.id)).toBeNull();
      expect(await rowsUnder(t, j.jobId)).toEqual({ job_runs: 0, job_stages: 0, job_items: 0, job_workers: 0, job_events: 0, job_commands: 0 });
    }
    for (const j of [fresh, paused]) expect(await getJob(t.url, j.id), `job ${j.jobId}`).not.toBeNull();

    // nothing more to find: the total stays
    await controlOk(t.url, 'runWorkerNow', { name: 'cleanup' });
    const again = await status.next((e) => e.daemonStatus.worker.runCount === 3 && e.daemonStatus.worker.status === 'IDLE', 3000, 'empty cycle');
    expect(again.daemonStatus.worker.details).toMatchObject({ jobsFound: 0, jobsRemoved: 2 });
  });
});
