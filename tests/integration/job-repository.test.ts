import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobWorkerSchema } from '../../server/db/entities/job.entity.js';
import { openDatabase, type Orm } from '../../server/db/orm.js';
import { JobRepository } from '../../server/db/repositories/job.repository.js';
import { statementCounter } from '../helpers/statements.js';

let dir: string;
let orm: Orm;
let repo: JobRepository;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-jobs-'));
  orm = await openDatabase(path.join(dir, 'db.sqlite'));
  repo = new JobRepository(orm.em);
  await repo.ensureLanes({ download: 1, general: 3 });
});

afterAll(async () => {
  await orm?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function newDownloadJob(items: number): Promise<{ jobId: number; stageId: number }> {
  const jobId = await repo.createJob({
    jobType: 'download_only',
    lane: 'download',
    priority: 100,
    stages: ['download'],
    scope: {},
    requestedBy: 'test',
    configSnapshot: {},
  });
  const [stage] = await repo.stagesOf(jobId);
  if (!stage) throw new Error('no stage');
  await repo.addItems(
    jobId,
    stage.id,
    Array.from({ length: items }, (_, i) => ({ itemKey: `song:${i}`, label: `Song ${i} / Artist` })),
  );
  return { jobId, stageId: stage.id };
}

describe('job repository', () => {
  it('keeps lane limits and lets them change', async () => {
    await repo.ensureLanes({ download: 5, general: 5 }); // existing limits win
    expect(await repo.laneLimits()).toEqual({ download: 1, general: 3 });
    expect(await repo.setLaneConcurrency('general', 4)).toBe(true);
    expect((await repo.laneLimits()).general).toBe(4);
    await repo.setLaneConcurrency('general', 3);
  });

  it('creates a job with its stages and counts items once per key', async () => {
    const { jobId, stageId } = await newDownloadJob(3);
    await repo.addItems(jobId, stageId, [{ itemKey: 'song:0' }, { itemKey: 'song:99' }]);
    const [stage] = await repo.stagesOf(jobId);
    expect(stage).toMatchObject({ stageType: 'download', seq: 0, status: 'pending', totalItems: 4 });
    expect(await repo.findJob(jobId)).toMatchObject({ status: 'queued', lane: 'download', jobType: 'download_only' });
  });

  it('lets exactly one of two racing writers move a job (compare-and-set)', async () => {
    const { jobId } = await newDownloadJob(0);
    const results = await Promise.all([
      repo.transitionJob(jobId, ['queued'], 'running', { owner: 'a' }),
      repo.transitionJob(jobId, ['queued'], 'running', { owner: 'b' }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await repo.transitionJob(jobId, ['queued'], 'canceled')).toBe(false);
    expect((await repo.findJob(jobId))?.status).toBe('running');
  });

  it('never starts more jobs in a lane than its limit, even when claims race', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await newDownloadJob(0)).jobId);
    // other tests left jobs running or queued: finish them so the lane is empty and nothing is ahead
    await orm.em
      .fork()
      .getConnection()
      .execute(`update job_runs set status = 'completed' where status in ('queued', 'running', 'pause_requested') and id < ?`, [ids[0]]);
    const won = await Promise.all([...ids].reverse().map((id, i) => repo.claimJob(id, `runner-${i}`)));
    expect(won.filter(Boolean)).toHaveLength(1);
    // whatever order the claims came in, the job first in dispatch order (same priority: oldest) won
    expect(won.find(Boolean)).toMatchObject({ id: ids[0], status: 'running', lane: 'download' });
    expect((await repo.runningCounts()).download).toBe(1);
    // the lane is full: the next one in line is refused too
    expect(await repo.claimJob(ids[1]!, 'x')).toBeNull();
    await orm.em.fork().getConnection().execute(`update job_runs set status = 'completed' where status = 'running'`);
  });

  it('never starts a job while a queued job of its lane is ahead of it (priority, then age)', async () => {
    await orm.em.fork().getConnection().execute(`update job_runs set status = 'completed' where status in ('queued', 'running', 'pause_requested')`);
    await repo.setLaneConcurrency('general', 3);
    const mk = (priority: number) => repo.createJob({ jobType: 'sync_only', lane: 'general', priority, stages: ['sync'], scope: {}, requestedBy: null, configSnapshot: {} });
    const older = await mk(100);
    const urgent = await mk(10);
    const newer = await mk(100);
    // room for all three, but each must wait for the ones ahead of it
    expect(await repo.claimJob(older, 'r')).toBeNull();
    expect(await repo.claimJob(newer, 'r')).toBeNull();
    expect(await repo.claimJob(urgent, 'r')).toMatchObject({ id: urgent });
    expect(await repo.claimJob(newer, 'r')).toBeNull();
    expect(await repo.claimJob(older, 'r')).toMatchObject({ id: older });
    expect(await repo.claimJob(newer, 'r')).toMatchObject({ id: newer });
    // a job backing off (not_before in the future) does not hold the line
    const later = await mk(1);
    await orm.em.fork().getConnection().execute(`update job_runs set not_before = ? where id = ?`, [Date.now() + 60_000, later]);
    const after = await mk(100);
    await orm.em.fork().getConnection().execute(`update job_runs set status = 'completed' where status = 'running'`);
    expect(await repo.claimJob(later, 'r')).toBeNull();
    expect(await repo.claimJob(after, 'r')).toMatchObject({ id: after });
    await orm.em.fork().getConnection().execute(`update job_runs set status = 'completed' where status in ('queued', 'running')`);
  });

  it('starts the next stage and writes the started event in the claim, in one statement', async () => {
    await orm.em.fork().getConnection().execute(`update job_runs set status = 'completed' where status in ('queued', 'running', 'pause_requested')`);
    const jobId = await repo.createJob({ jobType: 'sync_download', lane: 'general', priority: 100, stages: ['sync', 'download'], scope: {}, requestedBy: null, configSnapshot: {} });
    const [sync, download] = await repo.stagesOf(jobId);
    // a resumed job: its first stage done, the second paused
    await repo.transitionStage(sync!.id, ['pending'], 'completed');
    await repo.transitionStage(download!.id, ['pending'], 'paused');
    const statements = statementCounter(orm);
    let claimed;
    try {
      claimed = await repo.claimJob(jobId, 'runner-a');
      expect(statements.count).toBe(1);
    } finally {
      statements.stop();
    }
    expect(claimed).toMatchObject({ id: jobId, status: 'running', stage: { id: download!.id, stageType: 'download', seq: 1, status: 'running', totalItems: 0 } });
    expect((await repo.stagesOf(jobId)).map((s) => s.status)).toEqual(['completed', 'running']);
    const events = await repo.eventsOf(jobId, 10);
    expect(events.find((e) => e.kind === 'started')).toMatchObject({ data: { runner: 'runner-a' } });
    // nothing left to run: the claim starts no stage; a refused claim starts nothing
    expect(await repo.startNextStage(jobId)).toBeNull();
    const bare = await repo.createJob({ jobType: 'sync_only', lane: 'general', priority: 100, stages: ['sync'], scope: {}, requestedBy: null, configSnapshot: {} });
    await repo.transitionStages(bare, ['pending'], 'completed');
    expect(await repo.claimJob(bare, 'runner-a')).toMatchObject({ id: bare, stage: null });
    const blocked = await repo.createJob({ jobType: 'sync_only', lane: 'general', priority: 100, stages: ['sync'], scope: {}, requestedBy: null, configSnapshot: {} });
    await orm.em.fork().getConnection().execute(`update job_runs set not_before = ? where id = ?`, [Date.now() + 60_000, blocked]);
    expect(await repo.claimJob(blocked, 'runner-a')).toBeNull();
    expect((await repo.stagesOf(blocked)).map((s) => s.status)).toEqual(['pending']);
    expect((await repo.eventsOf(blocked, 10)).map((e) => e.kind)).toEqual(['created']);
    await orm.em.fork().getConnection().execute(`update job_runs set status = 'completed' where status in ('queued', 'running')`);
  });

  it('hands the first added items to the named slots in the insert, and leaves the rest pending', async () => {
    const { jobId, stageId } = await newDownloadJob(0);
    const items = Array.from({ length: 5 }, (_, i) => ({ itemKey: `k${i}`, label: `Item ${i}` }));
    const claimed = await repo.addItems(jobId, stageId, items, ['download-1', 'download-2']);
    expect(claimed.map((c) => [c.itemKey, c.workerName, c.label])).toEqual([
      ['k0', 'download-1', 'Item 0'],
      ['k1', 'download-2', 'Item 1'],
    ]);
    // held as a claim holds them: only the holder can end them
    expect(await repo.finishItem(claimed[0]!.id, 'download-2', 'succeeded')).toBe(false);
    expect(await repo.finishItem(claimed[0]!.id, 'download-1', 'succeeded')).toBe(true);
    expect(await repo.stageItemCounts(stageId)).toMatchObject({ pending: 3, running: 1, succeeded: 1 });
    // the next claim gets the first pending one; existing keys are kept, not claimed again
    expect(await repo.claimItem(stageId, 'download-1')).toMatchObject({ itemKey: 'k2' });
    expect(await repo.addItems(jobId, stageId, [{ itemKey: 'k3' }, { itemKey: 'k9' }], ['download-3'])).toEqual([]);
    const [stage] = await repo.stagesOf(jobId);
    expect(stage).toMatchObject({ totalItems: 6, succeededItems: 1 });
  });

  it('never hands one item to two workers, under concurrency', async () => {
    const { jobId, stageId } = await newDownloadJob(300);
    const seen = new Map<number, string>();
    const worker = async (name: string): Promise<void> => {
      for (;;) {
        const item = await repo.claimItem(stageId, name);
        if (!item) return;
        expect(seen.has(item.id)).toBe(false);
        seen.set(item.id, name);
        expect(await repo.finishItem(item.id, name, 'succeeded')).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => worker(`w-${i}`)));
    expect(seen.size).toBe(300);
    expect(new Set(seen.values()).size).toBeGreaterThan(1);
    const [stage] = await repo.stagesOf(jobId);
    expect(stage).toMatchObject({ totalItems: 300, succeededItems: 300, failedItems: 0 });
  });

  it('refuses to finish an item for a worker that does not hold it', async () => {
    const { stageId } = await newDownloadJob(1);
    const item = await repo.claimItem(stageId, 'owner');
    expect(item).not.toBeNull();
    expect(await repo.finishItem(item!.id, 'intruder', 'succeeded')).toBe(false);
    expect(await repo.finishItem(item!.id, 'owner', 'failed', { lastErrorCode: 'file_not_found', lastError: 'gone' })).toBe(true);
    expect(await repo.finishItem(item!.id, 'owner', 'succeeded')).toBe(false); // not twice
  });

  it('puts items with a stale heartbeat back to pending and counts the attempt', async () => {
    const { stageId } = await newDownloadJob(2);
    const old = new Date(Date.now() - 120_000);
    const a = await repo.claimItem(stageId, 'crashed', old);
    const b = await repo.claimItem(stageId, 'alive');
    expect(a && b).toBeTruthy();
    expect(await repo.reclaimStaleItems(new Date(Date.now() - 30_000))).toBe(1);
    const again = await repo.claimItem(stageId, 'next');
    expect(again).toMatchObject({ id: a!.id, attempts: 1 });
    expect(await repo.finishItem(b!.id, 'alive', 'succeeded')).toBe(true);
  });

  it('delays a pending item until its next attempt is due', async () => {
    const { stageId } = await newDownloadJob(1);
    const item = await repo.claimItem(stageId, 'w');
    await repo.finishItem(item!.id, 'w', 'failed');
    // a retry puts it back to pending with a due time; not claimable before it
    await orm.em
      .fork()
      .getConnection()
      .execute(`update job_items set status = 'pending', next_attempt_at = ? where id = ?`, [Date.now() + 60_000, item!.id]);
    expect(await repo.claimItem(stageId, 'w')).toBeNull();
    expect(await repo.claimItem(stageId, 'w', new Date(Date.now() + 61_000))).toMatchObject({ id: item!.id });
  });

  it('reads a task-center page in the same number of statements for 5 and 50 rows', async () => {
    for (let i = 0; i < 60; i++) {
      const { jobId } = await newDownloadJob(1);
      await orm.em.fork().insert(JobWorkerSchema, { job: jobId, workerName: 'download-1', status: 'idle', updatedAt: new Date() });
    }
    const statements = statementCounter(orm);
    try {
      const small = await repo.taskCenterPage(5, null);
      const five = statements.count;
      statements.reset();
      const large = await repo.taskCenterPage(50, null);
      const fifty = statements.count;
      expect(small.jobs).toHaveLength(5);
      expect(large.jobs).toHaveLength(50);
      expect(large.hasNextPage).toBe(true);
      expect([...large.workersByJob.values()].every((ws) => ws.length === 1)).toBe(true);
      expect([...large.stagesByJob.values()].every((ss) => ss.length === 1)).toBe(true);
      expect(five).toBe(3);
      expect(fifty).toBe(five);
      // newest first, and the cursor continues below the last id
      const ids = large.jobs.map((j) => j.id);
      expect([...ids].sort((x, y) => y - x)).toEqual(ids);
      const next = await repo.taskCenterPage(5, ids.at(-1)!);
      expect(next.jobs[0]!.id).toBeLessThan(ids.at(-1)!);
    } finally {
      statements.stop();
    }
  });
});

describe('job repository: removing finished jobs', () => {
  const at = (iso: string): number => new Date(iso).getTime();

  /** A job put straight into `status`, finished (and last updated) at `finishedAt`. */
  async function jobIn(status: string, finishedAt: number | null, updatedAt = finishedAt ?? Date.now()): Promise<number> {
    const { jobId } = await newDownloadJob(2);
    await orm.em.getConnection().execute(`update job_runs set status = ?, finished_at = ?, updated_at = ? where id = ?`, [status, finishedAt, updatedAt, jobId], 'run');
    return jobId;
  }

  it('deleteJob deletes only a job in a final status, with everything under it', async () => {
    const running = await jobIn('running', null);
    const paused = await jobIn('paused', null);
    const failed = await jobIn('failed', Date.now());
    await repo.addEvent(failed, 'finished');
    await repo.recordCommand(failed, 'cancel', null);
    expect(await repo.deleteJob(running)).toBe(false);
    expect(await repo.deleteJob(paused)).toBe(false);
    expect(await repo.findJob(running)).toMatchObject({ status: 'running' });
    expect(await repo.stagesOf(paused)).toHaveLength(1);
    expect(await repo.deleteJob(failed)).toBe(true);
    expect(await repo.deleteJob(failed)).toBe(false); // gone already
    expect(await repo.findJob(failed)).toBeNull();
    const conn = orm.em.getConnection();
    for (const table of ['job_stages', 'job_items', 'job_workers', 'job_events', 'job_commands']) {
      const [r] = (await conn.execute(`select count(*) as n from ${table} where job_id = ?`, [failed], 'all')) as { n: number }[];
      expect(r?.n, table).toBe(0);
    }
  });

  it('deleteFinishedBefore deletes finished jobs before the cutoff, oldest first, at most `limit`, and returns them', async () => {
    const oldest = await jobIn('completed', at('2000-01-01'));
    const older = await jobIn('canceled', null, at('2000-01-02')); // canceled before it ran: counts from its last update
    const old = await jobIn('completed_with_errors', at('2000-01-03'));
    const oldButLive = await jobIn('paused', null, at('2000-01-01'));
    const recent = await jobIn('failed', at('2000-02-01'));
    const cutoff = new Date('2000-01-15');
    expect(await repo.countFinishedBefore(cutoff)).toBe(3);
    const first = await repo.deleteFinishedBefore(cutoff, 2);
    expect(first.map((j) => j.id)).toEqual([oldest, older]);
    expect(first[0]).toMatchObject({ status: 'completed', jobType: 'download_only', lane: 'download', finishedAt: new Date('2000-01-01') });
    const rest = await repo.deleteFinishedBefore(cutoff, 10);
    expect(rest.map((j) => j.id)).toEqual([old]);
    expect(await repo.deleteFinishedBefore(cutoff, 10)).toEqual([]);
    expect(await repo.countFinishedBefore(cutoff)).toBe(0);
    expect(await repo.findJob(oldButLive)).toMatchObject({ status: 'paused' });
    expect(await repo.findJob(recent)).toMatchObject({ status: 'failed' });
    expect(await repo.stagesOf(oldest)).toEqual([]);
  });
});
