import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { appPerTest, gql, startTestApp } from '../helpers/app.js';
import { control } from '../helpers/graphql.js';
import {
  createJob,
  createJobOk,
  FINAL_STATUSES,
  getJob,
  getLanes,
  getRow,
  getRows,
  itemIndex,
  ItemProbe,
  JOB_FIELDS,
  jobCommand,
  planItems,
  ROW_FIELDS,
  untilTaskCenterLive,
  waitFor,
  waitForJob,
  type JobData,
  type TaskRowData,
} from '../helpers/jobs.js';
import { addSource, playlists } from '../helpers/playlists.js';
import { statementCounter } from '../helpers/statements.js';
import { subscribeWs } from '../helpers/ws.js';

type TaskCenterEventData = { taskCenter: { kind: 'ADDED' | 'CHANGED' | 'REMOVED'; id: string; row: TaskRowData | null } };

const TASK_CENTER_SUB = /* GraphQL */ `subscription { taskCenter { kind id row { ${ROW_FIELDS} } } }`;
const JOB_UPDATED_SUB = /* GraphQL */ `subscription ($id: ID!) { jobUpdated(id: $id) { ${JOB_FIELDS} } }`;

/** One app per test (stopped after it, also after a restart). */
const { start, track } = appPerTest();

const sum = (xs: Iterable<number>): number => [...xs].reduce((a, b) => a + b, 0);

describe('task center over GraphQL', () => {
  it('createJob: the taskCenter subscription sees it ADDED, then CHANGED while it runs, until COMPLETED; job(id) and lanes show the details', async () => {
    // items 0–2 finish at once, 3–5 wait for the gate: the job is seen mid-way
    const probe = new ItemProbe({ hold: (ctx) => itemIndex(ctx) >= 3 });
    const t = await start({ stages: { download: { plan: planItems(6), handle: probe.handle, workers: 2 } } });
    const sub = subscribeWs<TaskCenterEventData>(t.wsUrl, TASK_CENTER_SUB);
    onTestFinished(() => sub.close());
    await untilTaskCenterLive(t.url, sub);

    const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    expect(job).toMatchObject({ jobType: 'DOWNLOAD_ONLY', lane: 'download', priority: 100 });
    const mine = (e: TaskCenterEventData): boolean => e.taskCenter.row?.jobId === job.jobId;

    const added = await sub.next(mine, 2000, 'ADDED of the new job');
    expect(added.taskCenter.kind).toBe('ADDED');
    expect(added.taskCenter.id).toBe(added.taskCenter.row?.id);
    // the lane was free: the runner took the job at once, so the row it is added with may already run
    expect(added.taskCenter.row).toMatchObject({ jobType: 'DOWNLOAD_ONLY', displayName: expect.any(String), lane: 'download' });
    expect(['QUEUED', 'RUNNING']).toContain(added.taskCenter.row?.status);

    const midway = await sub.next(
      (e) => mine(e) && e.taskCenter.row?.status === 'RUNNING' && e.taskCenter.row.completedItems === 3,
      5000,
      'a CHANGED row with 3 of 6 items done',
    );
    expect(midway.taskCenter.kind).toBe('CHANGED');
    expect(midway.taskCenter.row).toMatchObject({ totalItems: 6, canPause: true, canResume: false, canCancel: true, queueLabel: null });
    expect(midway.taskCenter.row?.progressPercent).toBeCloseTo(50, 5);
    await waitFor(() => probe.heldCount(), (n) => n === 2, 'two held items');
    // both worker slots are busy with the held items (slot state is written within progressWriteMs)
    const busy = await waitFor(() => getRow(t.url, job.jobId), (r) => r?.activeWorkerCount === 2, 'both worker slots busy');
    expect(busy).toMatchObject({ status: 'RUNNING', completedItems: 3, activeWorkerCount: 2 });

    probe.gate.open();
    const done = await sub.next((e) => mine(e) && e.taskCenter.row?.status === 'COMPLETED', 5000, 'the COMPLETED row');
    expect(done.taskCenter.kind).toBe('CHANGED');
    expect(done.taskCenter.row).toMatchObject({ completedItems: 6, totalItems: 6, activeWorkerCount: 0, canPause: false, canResume: false, canCancel: false });
    expect(done.taskCenter.row?.progressPercent).toBe(100);
    expect(done.taskCenter.row?.finishedAt).not.toBeNull();
    // every event of this job is ADDED once, then CHANGED
    const kinds = sub.events.filter(mine).map((e) => e.taskCenter.kind);
    expect(kinds[0]).toBe('ADDED');
    expect(kinds.slice(1).every((k) => k === 'CHANGED')).toBe(true);

    const detail = (await getJob(t.url, job.id)) as JobData;
    expect(detail.status).toBe('COMPLETED');
    expect(detail.stages).toEqual([
      { stageType: 'DOWNLOAD', status: 'COMPLETED', totalItems: 6, succeededItems: 6, failedItems: 0, skippedItems: 0, canceledItems: 0 },
    ]);
    expect(detail.workers.map((w) => w.name)).toEqual(['download-1', 'download-2']);
    expect(sum(detail.workers.map((w) => w.processedCount))).toBe(6);
    expect(detail.workers.every((w) => w.status === 'idle' && w.errorCount === 0)).toBe(true);
    // the same job through its TaskRow id and as a Node
    expect((await getJob(t.url, done.taskCenter.id))?.jobId).toBe(job.jobId);
    const { node } = await gql<{ node: { __typename: string; status: string } | null }>(t.url, 'query ($id: ID!) { node(id: $id) { __typename ... on Job { status } } }', {
      id: job.id,
    });
    expect(node).toEqual({ __typename: 'Job', status: 'COMPLETED' });

    expect(await getLanes(t.url)).toEqual([
      { name: 'download', limit: 1, running: 0, queued: 0 },
      { name: 'general', limit: 3, running: 0, queued: 0 },
    ]);
    expect([...probe.successesOf(job.jobId).values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('lanes: a second download job waits ("queued #1", lane busy with the first) while a general job runs beside the first', async () => {
    const probe = new ItemProbe({ hold: () => true });
    const t = await start({
      stages: {
        download: { plan: planItems(2, 'song'), handle: probe.handle, workers: 2 },
        sync: { plan: planItems(2, 'playlist'), handle: probe.handle, workers: 2 },
      },
    });
    const first = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    const second = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    const sync = await createJobOk(t.url, 'SYNC_ONLY');
    expect(sync.lane).toBe('general');

    // both running jobs have their items in the handler: nothing is left to start but the second
    await waitFor(() => probe.heldCount(), (n) => n === 4, 'four held items (two jobs × two workers)');
    // a dispatcher round now (the Queue Dispatcher daemon's safety sweep) starts nothing more
    expect((await control(t.url, 'runWorkerNow', { name: 'queue_dispatcher' })).__typename).toBe('WorkerControlPayload');
    await waitFor(() => getJob(t.url, first.id), (j) => j?.status === 'RUNNING', 'first download running');
    // slot state is written within progressWriteMs
    await waitFor(() => getRow(t.url, first.jobId), (r) => r?.activeWorkerCount === 2, 'both slots of the first job busy');

    const rows = new Map((await getRows(t.url)).map((r) => [r.jobId, r]));
    expect(rows.get(first.jobId)).toMatchObject({ status: 'RUNNING', queuePosition: null, queueLabel: null, waitingReason: null, activeWorkerCount: 2 });
    expect(rows.get(sync.jobId)).toMatchObject({ status: 'RUNNING', queueLabel: null, waitingReason: null });
    expect(rows.get(second.jobId)).toMatchObject({
      status: 'QUEUED',
      queuePosition: 1,
      queueLabel: 'queued #1',
      waitingReason: { kind: 'LANE_BUSY', lane: 'download', runningJobIds: [first.jobId], aheadJobIds: [] },
      canPause: true,
      canCancel: true,
      completedItems: 0,
    });
    expect(await getLanes(t.url)).toEqual([
      { name: 'download', limit: 1, running: 1, queued: 1 },
      { name: 'general', limit: 3, running: 1, queued: 0 },
    ]);
    expect(probe.startsOf(second.jobId).size).toBe(0);

    probe.gate.open();
    for (const j of [first, second, sync]) await waitForJob(t.url, j.id, (x) => x.status === 'COMPLETED', 'COMPLETED');
    expect(probe.maxJobsAtOnce('download')).toBe(1);
    const a = (await getRow(t.url, first.jobId)) as TaskRowData;
    const b = (await getRow(t.url, second.jobId)) as TaskRowData;
    expect(Date.parse(b.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt as string));
    for (const j of [first, second, sync]) expect([...probe.successesOf(j.jobId).values()]).toEqual([1, 1]);
  });

  describe('controls', () => {
    it('pause mid-stage → PAUSED (can resume, cannot pause); resume → COMPLETED with every item succeeded exactly once', async () => {
      // items 0–2 finish at once; later ones wait at the gate until after the resume
      const probe = new ItemProbe({ hold: (ctx) => itemIndex(ctx) >= 3 });
      const t = await start({ stages: { download: { plan: planItems(10), handle: probe.handle, workers: 2 } } });
      const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
      await waitFor(() => probe.heldCount(), (n) => n === 2, 'two items in flight');

      const paused = await jobCommand(t.url, 'pauseJob', job.id);
      expect(paused.__typename).toBe('JobPayload');
      expect(['PAUSE_REQUESTED', 'PAUSED']).toContain(paused.job?.status);
      const p = await waitForJob(t.url, job.id, (j) => j.status === 'PAUSED', 'PAUSED');
      expect(p).toMatchObject({ canResume: true, canPause: false, canCancel: true });
      expect(p.stages[0]).toMatchObject({ status: 'PAUSED', totalItems: 10, succeededItems: 3, failedItems: 0, canceledItems: 0 });
      expect(p.workers.every((w) => w.status === 'idle')).toBe(true);
      const row = await getRow(t.url, job.jobId);
      expect(row).toMatchObject({ status: 'PAUSED', completedItems: 3, activeWorkerCount: 0, waitingReason: { kind: 'PAUSED' } });
      expect(probe.heldCount()).toBe(0); // the in-flight items stopped at a checkpoint
      expect(sum(probe.successesOf(job.jobId).values())).toBe(3);
      // a paused job does not hold the lane
      expect((await getLanes(t.url)).find((l) => l.name === 'download')).toMatchObject({ running: 0 });

      probe.gate.open();
      const resumed = await jobCommand(t.url, 'resumeJob', job.id);
      expect(resumed.__typename).toBe('JobPayload');
      const done = await waitForJob(t.url, job.id, (j) => FINAL_STATUSES.includes(j.status), 'a final status');
      expect(done.status).toBe('COMPLETED');
      expect(done.stages[0]).toMatchObject({ status: 'COMPLETED', totalItems: 10, succeededItems: 10, failedItems: 0, canceledItems: 0 });
      const successes = probe.successesOf(job.jobId);
      expect(successes.size).toBe(10);
      expect([...successes.values()].every((n) => n === 1)).toBe(true);
      // the two interrupted items ran again, the others once
      expect(sum(probe.startsOf(job.jobId).values())).toBe(12);
    });

    it('pauseJob on a COMPLETED job is an InvalidJobTransitionError and changes nothing', async () => {
      const probe = new ItemProbe();
      const t = await start({ stages: { download: { plan: planItems(2), handle: probe.handle } } });
      const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
      await waitForJob(t.url, job.id, (j) => j.status === 'COMPLETED', 'COMPLETED');
      const read = () => gql(t.url, `query ($id: ID!) { job(id: $id) { ${JOB_FIELDS} events { kind at } } }`, { id: job.id });
      const before = await read();

      for (const command of ['pauseJob', 'resumeJob', 'cancelJob'] as const) {
        const r = await jobCommand(t.url, command, job.id);
        expect(r.__typename, command).toBe('InvalidJobTransitionError');
        expect(r.status, command).toBe('COMPLETED');
        expect(r.message, command).toMatch(/completed/);
      }
      expect((await jobCommand(t.url, 'pauseJob', job.id)).action).toBe('pause');
      expect(await read()).toEqual(before);
      expect(sum(probe.starts.values())).toBe(2);
    });

    it('cancelJob of a running job → CANCELED, in-flight and pending items canceled, lane freed', async () => {
      const probe = new ItemProbe({ hold: () => true });
      const t = await start({ stages: { download: { plan: planItems(6), handle: probe.handle, workers: 2 } } });
      const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
      await waitFor(() => probe.heldCount(), (n) => n === 2, 'two items in flight');

      const r = await jobCommand(t.url, 'cancelJob', job.id);
      expect(r.__typename).toBe('JobPayload');
      const c = await waitForJob(t.url, job.id, (j) => FINAL_STATUSES.includes(j.status), 'a final status');
      expect(c).toMatchObject({ status: 'CANCELED', canPause: false, canResume: false, canCancel: false });
      expect(c.finishedAt).not.toBeNull();
      expect(c.stages[0]).toMatchObject({ status: 'CANCELED', totalItems: 6, succeededItems: 0, failedItems: 0, canceledItems: 6 });
      expect(probe.heldCount()).toBe(0);
      expect(probe.successes.size).toBe(0);
      expect(sum(probe.starts.values())).toBe(2); // nothing was claimed after the cancel
      expect((await getLanes(t.url)).find((l) => l.name === 'download')).toMatchObject({ running: 0, queued: 0 });
      // a canceled job stays canceled
      expect(await jobCommand(t.url, 'resumeJob', job.id)).toMatchObject({ __typename: 'InvalidJobTransitionError', status: 'CANCELED' });
      expect(await jobCommand(t.url, 'retryFailedItems', job.id)).toMatchObject({ __typename: 'InvalidJobTransitionError', status: 'CANCELED' });
    });

    it('a queued job pauses at once and resumes into its place in line; cancelling a queued or paused job finalises its stages', async () => {
      const probe = new ItemProbe({ hold: () => true });
      const t = await start({ stages: { download: { plan: planItems(2), handle: probe.handle, workers: 1 } } });
      const a = await createJobOk(t.url, 'DOWNLOAD_ONLY');
      const b = await createJobOk(t.url, 'DOWNLOAD_ONLY');
      const c = await createJobOk(t.url, 'DOWNLOAD_ONLY');
      await waitFor(() => probe.heldCount(), (n) => n === 1, 'the first job in flight');
      expect((await getRow(t.url, c.jobId)).queueLabel).toBe('queued #2');

      // pause a queued job: at once, and it leaves the line
      expect(await jobCommand(t.url, 'pauseJob', b.id)).toMatchObject({ __typename: 'JobPayload', job: { status: 'PAUSED', canResume: true, canPause: false } });
      expect(await getRow(t.url, b.jobId)).toMatchObject({ status: 'PAUSED', queuePosition: null, queueLabel: null, waitingReason: { kind: 'PAUSED' } });
      expect(await getRow(t.url, c.jobId)).toMatchObject({ queueLabel: 'queued #1', waitingReason: { kind: 'LANE_BUSY', runningJobIds: [a.jobId] } });
      // resume: back in line, in dispatch order (older first), so ahead of c again
      expect(await jobCommand(t.url, 'resumeJob', b.id)).toMatchObject({ __typename: 'JobPayload', job: { status: 'QUEUED' } });
      expect((await getRow(t.url, b.jobId)).queueLabel).toBe('queued #1');
      expect((await getRow(t.url, c.jobId)).queueLabel).toBe('queued #2');

      // cancel a queued job: final at once, stages too
      const canceled = await jobCommand(t.url, 'cancelJob', c.id);
      expect(canceled).toMatchObject({ __typename: 'JobPayload', job: { status: 'CANCELED', canCancel: false, canResume: false } });
      expect(canceled.job?.stages.map((s) => s.status)).toEqual(['CANCELED']);

      // cancel a paused job: its pending items and its paused stage end canceled
      await jobCommand(t.url, 'pauseJob', a.id);
      await waitForJob(t.url, a.id, (j) => j.status === 'PAUSED', 'PAUSED');
      const gone = await jobCommand(t.url, 'cancelJob', a.id);
      expect(gone.job).toMatchObject({ status: 'CANCELED', stages: [{ status: 'CANCELED', totalItems: 2, succeededItems: 0, canceledItems: 2 }] });

      // b takes the lane and finishes; a and c never run again
      probe.gate.open();
      await waitForJob(t.url, b.id, (j) => j.status === 'COMPLETED', 'COMPLETED');
      expect(probe.startsOf(c.jobId).size).toBe(0);
      expect(sum(probe.startsOf(a.jobId).values())).toBe(1);
      expect(probe.successesOf(a.jobId).size).toBe(0);
      expect((await getJob(t.url, a.id))?.status).toBe('CANCELED');
      expect((await getJob(t.url, c.id))?.stages[0]?.status).toBe('CANCELED');
    });

    it('unknown ids are JobNotFoundError (or a null job); a bad priority is an InvalidArgumentError and creates nothing', async () => {
      const t = await start({ env: { ROADIE_AUTOSTART: 'false' } });
      for (const command of ['pauseJob', 'resumeJob', 'cancelJob', 'retryFailedItems'] as const) {
        for (const id of ['999999', 'not-an-id', Buffer.from('Worker:token_refresh').toString('base64')]) {
          const r = await jobCommand(t.url, command, id);
          expect(r.__typename, `${command}(${id})`).toBe('JobNotFoundError');
          expect(r.message, `${command}(${id})`).toMatch(/not found/i);
        }
      }
      expect(await getJob(t.url, '999999')).toBeNull();

      for (const priority of [-1, 1001]) {
        const r = await createJob(t.url, 'DOWNLOAD_ONLY', { priority });
        expect(r).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'priority' });
      }
      expect(await getRows(t.url)).toEqual([]);
    });

    it('createJob with playlists: scoped display name and scope summary; a bad playlist id is an InvalidArgumentError', async () => {
      const t = await start({ env: { ROADIE_AUTOSTART: 'false' } });
      const folder = path.join(t.dataDir, 'lists');
      await fs.mkdir(folder);
      await fs.writeFile(path.join(folder, 'a.m3u'), '/srv/a.mp3\n');
      await fs.writeFile(path.join(folder, 'b.m3u'), '/srv/b.mp3\n');
      await addSource(t.url, folder);
      const ids = (await playlists(t.url)).map((p) => p.id);
      expect(ids).toHaveLength(2);
      const rows = (await getRows(t.url)).length; // the collect job's
      await gql(t.url, 'mutation { setLaneConcurrency(lane: "general", limit: 0) { __typename } }'); // keep them queued
      const scoped = await createJobOk(t.url, 'SYNC_ONLY', { playlistIds: ids });
      const all = await createJobOk(t.url, 'SYNC_ONLY');
      expect(await getRow(t.url, scoped.jobId)).toMatchObject({ displayName: 'Sync Selected Playlists', scopeSummary: { kind: 'PLAYLISTS', count: 2 } });
      expect(await getRow(t.url, all.jobId)).toMatchObject({ displayName: 'Sync', scopeSummary: { kind: 'ALL', count: null } });
      expect(await createJob(t.url, 'SYNC_ONLY', { playlistIds: ['not-a-playlist'] })).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'playlistIds' });
      expect(await createJob(t.url, 'SYNC_ONLY', { playlistIds: [ids[0]!, '4040'] })).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'playlistIds' });
      expect(await getRows(t.url)).toHaveLength(rows + 2);
    });
  });

  it('retryFailedItems: failed items (transfer_error) end COMPLETED_WITH_ERRORS; a retry queues the job again and it ends COMPLETED', async () => {
    let failing = true;
    const probe = new ItemProbe({
      outcome: (ctx) =>
        failing && itemIndex(ctx) % 2 === 1 ? { status: 'failed', code: 'transfer_error', error: 'peer went away' } : { status: 'succeeded' },
    });
    const t = await start({ stages: { download: { plan: planItems(6), handle: probe.handle, workers: 2 } } });
    const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    const first = await waitForJob(t.url, job.id, (j) => FINAL_STATUSES.includes(j.status), 'a final status');
    expect(first.status).toBe('COMPLETED_WITH_ERRORS');
    expect(first.stages[0]).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', totalItems: 6, succeededItems: 3, failedItems: 3 });
    expect(sum(first.workers.map((w) => w.errorCount))).toBe(3);
    expect(await getRow(t.url, job.jobId)).toMatchObject({ completedItems: 3, totalItems: 6, canResume: false });

    failing = false;
    const r = await jobCommand(t.url, 'retryFailedItems', job.id);
    expect(r.__typename).toBe('JobPayload');
    expect(['QUEUED', 'RUNNING', 'COMPLETED']).toContain(r.job?.status);
    const done = await waitForJob(t.url, job.id, (j) => FINAL_STATUSES.includes(j.status), 'a final status after the retry');
    expect(done.status).toBe('COMPLETED');
    expect(done.stages[0]).toMatchObject({ status: 'COMPLETED', totalItems: 6, succeededItems: 6, failedItems: 0 });
    // the failed items ran twice, the others once; each succeeded exactly once
    const starts = probe.startsOf(job.jobId);
    for (const [key, n] of starts) expect(n, key).toBe(Number(key.split('-')[1]) % 2 === 1 ? 2 : 1);
    expect([...probe.successesOf(job.jobId).values()]).toEqual([1, 1, 1, 1, 1, 1]);
    const { job: withEvents } = await gql<{ job: { events: { kind: string }[] } }>(t.url, 'query ($id: ID!) { job(id: $id) { events { kind } } }', { id: job.id });
    expect(withEvents.events.map((e) => e.kind)).toContain('retry_failed_items');

    // nothing left to retry
    const again = await jobCommand(t.url, 'retryFailedItems', job.id);
    expect(again).toMatchObject({ __typename: 'InvalidJobTransitionError', status: 'COMPLETED', action: 'retry_failed_items' });
    expect((await getJob(t.url, job.id))?.status).toBe('COMPLETED');
  });

  it('retryFailedItems on a running job retries the failed items of a stage it already passed; the job ends COMPLETED', async () => {
    let failing = true;
    const sync = new ItemProbe({
      outcome: (ctx) => (failing && itemIndex(ctx) === 1 ? { status: 'failed', code: 'transfer_error', error: 'playlist fetch failed' } : { status: 'succeeded' }),
    });
    const download = new ItemProbe({ hold: () => true });
    const t = await start({
      stages: { sync: { plan: planItems(2), handle: sync.handle, workers: 1 }, download: { plan: planItems(2), handle: download.handle, workers: 1 } },
    });
    const job = await createJobOk(t.url, 'SYNC_DOWNLOAD');
    await waitFor(() => download.heldCount(), (n) => n === 1, 'the download stage in flight');
    expect((await getJob(t.url, job.id))?.stages.map((s) => [s.stageType, s.status, s.failedItems])).toEqual([
      ['SYNC', 'COMPLETED_WITH_ERRORS', 1],
      ['DOWNLOAD', 'RUNNING', 0],
    ]);

    failing = false;
    expect(await jobCommand(t.url, 'retryFailedItems', job.id)).toMatchObject({ __typename: 'JobPayload', job: { status: 'RUNNING' } });
    download.gate.open();
    const done = await waitForJob(t.url, job.id, (j) => FINAL_STATUSES.includes(j.status), 'a final status');
    expect(done.status).toBe('COMPLETED');
    expect(done.stages).toMatchObject([
      { stageType: 'SYNC', status: 'COMPLETED', totalItems: 2, succeededItems: 2, failedItems: 0 },
      { stageType: 'DOWNLOAD', status: 'COMPLETED', totalItems: 2, succeededItems: 2, failedItems: 0 },
    ]);
    expect([...sync.successesOf(job.jobId).values()]).toEqual([1, 1]);
    expect([...download.successesOf(job.jobId).values()]).toEqual([1, 1]);
  });

  it('retryFailedItems on a running job without failed items is refused and changes nothing', async () => {
    const probe = new ItemProbe({ hold: () => true });
    const t = await start({ stages: { download: { plan: planItems(2), handle: probe.handle, workers: 1 } } });
    const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    await waitFor(() => probe.heldCount(), (n) => n === 1, 'one item in flight');
    const r = await jobCommand(t.url, 'retryFailedItems', job.id);
    expect(r).toMatchObject({ __typename: 'InvalidJobTransitionError', status: 'RUNNING' });
    expect((await getJob(t.url, job.id))?.status).toBe('RUNNING');
    probe.gate.open();
    await waitForJob(t.url, job.id, (j) => j.status === 'COMPLETED', 'COMPLETED');
  });

  it('setLaneConcurrency: returns the Lane, refuses a bad lane or limit, applies at once and survives a restart', async () => {
    const probe = new ItemProbe({ hold: () => true });
    let t = await start({ stages: { sync: { plan: planItems(1), handle: probe.handle, workers: 1 } } });
    const set = (lane: string, limit: number) =>
      gql<{ r: { __typename: string; name?: string; limit?: number; running?: number; queued?: number; argument?: string; message?: string } }>(
        t.url,
        `mutation ($lane: String!, $limit: Int!) { r: setLaneConcurrency(lane: $lane, limit: $limit) {
           __typename ... on Lane { name limit running queued } ... on InvalidArgumentError { argument message } } }`,
        { lane, limit },
      );

    expect((await set('general', 1)).r).toEqual({ __typename: 'Lane', name: 'general', limit: 1, running: 0, queued: 0 });
    expect((await set('upload', 2)).r).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'lane' });
    expect((await set('', 2)).r).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'lane' });
    expect((await set('general', -1)).r).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'limit' });
    expect((await set('download', 100000)).r).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'limit' });
    expect(await getLanes(t.url)).toEqual([
      { name: 'download', limit: 1, running: 0, queued: 0 },
      { name: 'general', limit: 1, running: 0, queued: 0 },
    ]);

    t = await t.restart();
    track(t);
    expect(await getLanes(t.url)).toEqual([
      { name: 'download', limit: 1, running: 0, queued: 0 },
      { name: 'general', limit: 1, running: 0, queued: 0 },
    ]);
    // the persisted limit governs: a second general job waits behind the first
    const a = await createJobOk(t.url, 'SYNC_ONLY');
    const b = await createJobOk(t.url, 'SYNC_ONLY');
    await waitFor(() => probe.heldCount(), (n) => n === 1, 'the first job in flight');
    expect(await getRow(t.url, b.jobId)).toMatchObject({ status: 'QUEUED', queueLabel: 'queued #1', waitingReason: { kind: 'LANE_BUSY', runningJobIds: [a.jobId] } });
    // raising the limit starts it at once
    expect((await set('general', 2)).r).toMatchObject({ __typename: 'Lane', limit: 2 });
    await waitFor(() => probe.heldCount(), (n) => n === 2, 'both jobs in flight');
    probe.gate.open();
    for (const j of [a, b]) await waitForJob(t.url, j.id, (x) => x.status === 'COMPLETED', 'COMPLETED');
  });

  it('jobUpdated(id): the current job first, then live worker progress (bytes, speed), a few events a second at most', async () => {
    const REPORTS = 200;
    const TOTAL = REPORTS * 5000;
    let progressFrom = 0;
    let progressTo = 0;
    const probe = new ItemProbe({
      hold: () => true,
      outcome: async (ctx) => {
        progressFrom = performance.now();
        for (let i = 1; i <= REPORTS; i++) {
          ctx.progress({ bytes: i * 5000, totalBytes: TOTAL });
          await new Promise((r) => setTimeout(r, 4));
        }
        progressTo = performance.now();
        return { status: 'succeeded', bytes: TOTAL };
      },
    });
    const t = await start({ stages: { download: { plan: planItems(1), handle: probe.handle, workers: 1 } } });
    const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    await waitFor(() => probe.heldCount(), (n) => n === 1, 'the item in flight');
    // slot state is written within progressWriteMs
    const now = await waitFor(() => getJob(t.url, job.id), (j) => j?.workers[0]?.status === 'busy', 'the busy slot');
    expect(now).toMatchObject({ status: 'RUNNING', workers: [{ name: 'download-1', status: 'busy', currentDisplayText: 'Song 0 / Artist' }] });

    const sub = subscribeWs<{ jobUpdated: JobData }>(t.wsUrl, JOB_UPDATED_SUB, { id: job.id });
    onTestFinished(() => sub.close());
    const first = await sub.next(undefined, 3000, 'the current job');
    expect(first.jobUpdated).toEqual(now);

    const mark = sub.mark();
    const openedAt = performance.now();
    probe.gate.open();
    const live = await sub.next(
      (e) => {
        const w = e.jobUpdated.workers[0];
        return e.jobUpdated.status === 'RUNNING' && w !== undefined && w.downloadedBytes > 0 && (w.speedBytesPerSec ?? 0) > 0;
      },
      5000,
      'a running event with bytes and speed',
    );
    const w = live.jobUpdated.workers[0];
    expect(w?.downloadedBytes).toBeLessThan(TOTAL);
    expect(w?.totalBytes).toBe(TOTAL);
    expect(w?.progressPercent).toBeGreaterThan(0);
    expect(w?.progressPercent).toBeLessThan(100);
    const done = await sub.next((e) => e.jobUpdated.status === 'COMPLETED', 5000, 'COMPLETED');
    // the progress came while the item was still transferring, not after
    expect(sub.timeOf(live)).toBeLessThan(progressTo);
    expect(done.jobUpdated.stages[0]).toMatchObject({ succeededItems: 1, totalItems: 1 });

    // 200 reports became a few events: at most one per 250 ms window (plus the edges)
    const windowMs = performance.now() - openedAt;
    const events = sub.since(mark).length;
    expect(progressTo - progressFrom).toBeGreaterThan(500);
    expect(events).toBeGreaterThanOrEqual(2);
    expect(events).toBeLessThanOrEqual(Math.ceil(windowMs / 250) + 2);
    expect(events).toBeLessThan(REPORTS / 10);
    // the subscription names only this job
    expect(sub.events.every((e) => e.jobUpdated.jobId === job.jobId)).toBe(true);
  });

  it('taskCenter(first: 5) and taskCenter(first: 50) cost the same number of SQL statements (no N+1)', async () => {
    const probe = new ItemProbe();
    const t = await start({
      env: { ROADIE_AUTOSTART: 'false' },
      stages: { sync: { plan: planItems(2), handle: probe.handle, workers: 2 }, download: { plan: planItems(1), handle: probe.handle } },
    });
    // 55 finished jobs with stages and workers (created while the lane is shut, then drained),
    // then 5 queued behind a shut download lane
    const setLimit = (lane: string, limit: number) => gql(t.url, `mutation { setLaneConcurrency(lane: "${lane}", limit: ${limit}) { __typename } }`);
    await setLimit('general', 0);
    for (let i = 0; i < 55; i++) await createJobOk(t.url, 'SYNC_ONLY');
    await setLimit('general', 3);
    await waitFor(() => getLanes(t.url), (ls) => ls.every((l) => l.running === 0 && l.queued === 0), 'all 55 jobs finished', 15_000, 50);
    await setLimit('download', 0);
    for (let i = 0; i < 5; i++) await createJobOk(t.url, 'DOWNLOAD_ONLY');

    let lastAt = performance.now();
    const statements = statementCounter(t.app.orm, () => (lastAt = performance.now()));
    onTestFinished(() => statements.stop());
    // quiet first: coalesced row events of the last jobs may still be published
    await waitFor(() => performance.now() - lastAt, (idle) => idle > 400, 'no statements for 400 ms', 5000);

    const query = `query ($first: Int) { taskCenter(first: $first) { edges { cursor node { ${ROW_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
    const measure = async (first: number): Promise<{ n: number; rows: TaskRowData[] }> => {
      statements.reset();
      const data = await gql<{ taskCenter: { edges: { node: TaskRowData }[] } }>(t.url, query, { first });
      return { n: statements.count, rows: data.taskCenter.edges.map((e) => e.node) };
    };
    const five = await measure(5);
    const fifty = await measure(50);
    expect(five.rows).toHaveLength(5);
    expect(fifty.rows).toHaveLength(50);
    expect(fifty.rows.map((r) => r.jobId)).toEqual([...fifty.rows.map((r) => r.jobId)].sort((a, b) => b - a)); // newest first
    expect(five.rows.map((r) => r.queueLabel)).toEqual(['queued #5', 'queued #4', 'queued #3', 'queued #2', 'queued #1']);
    expect(fifty.rows.filter((r) => r.status === 'COMPLETED')).toHaveLength(45);
    expect(five.n).toBeGreaterThan(0);
    expect(fifty.n).toBe(five.n);
    expect(fifty.n).toBeLessThanOrEqual(10);
    // nothing ran in the background meanwhile
    const idleBefore = statements.count;
    await waitFor(() => performance.now() - lastAt, (idle) => idle > 300, 'a quiet 300 ms', 3000);
    expect(statements.count).toBe(idleBefore);
  });

  it('stop() leaves no coalesced row event behind to read the closed database', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const probe = new ItemProbe({ hold: () => true });
    const t = await startTestApp({ logger: pino({ level: 'warn' }, sink), stages: { download: { plan: planItems(4), handle: probe.handle, workers: 2 } } });
    let stopped = false;
    onTestFinished(async () => {
      if (!stopped) await t.stop();
    });
    const job = await createJobOk(t.url, 'DOWNLOAD_ONLY');
    await waitFor(() => probe.heldCount(), (n) => n === 2, 'two items in flight');
    probe.gate.open();
    // the last changes of the job are coalesced: a row event is still due when the app stops
    await waitForJob(t.url, job.id, (j) => j.status === 'COMPLETED', 'COMPLETED', 5000);
    await t.stop();
    stopped = true;
    // a pending event would fire within one coalescing interval (250 ms); give it two
    await new Promise((r) => setTimeout(r, 500));
    expect(lines.filter((l) => l.includes('could not publish'))).toEqual([]);
  });
});
