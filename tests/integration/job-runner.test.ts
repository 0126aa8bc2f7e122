import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { laneOf, stagesOf } from '../../server/domain/jobs/catalog.js';
import type { JobType } from '../../server/domain/jobs/types.js';
import { openDatabase, type Orm } from '../../server/db/orm.js';
import { JobRepository } from '../../server/db/repositories/job.repository.js';
import type { ItemContext, ItemHandler, ItemOutcome, StageExecutors } from '../../server/runner/executor.js';
import { collectStage } from '../../server/runner/executors/collect.js';
import { downloadStage } from '../../server/runner/executors/download.js';
import { syncStage } from '../../server/runner/executors/sync.js';
import { uploadStage } from '../../server/runner/executors/upload.js';
import { JobRunner } from '../../server/runner/runner.js';
import { createEventBus } from '../../server/events/bus.js';
import { TaskCenter } from '../../server/jobs/task-center.js';

const log = pino({ level: 'silent' });

let dir: string;
let orm: Orm;
let repo: JobRepository;
let runners: JobRunner[];
let changed: (() => void)[];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-runner-'));
  orm = await openDatabase(path.join(dir, 'db.sqlite'));
  repo = new JobRepository(orm.em);
  await repo.ensureLanes({ download: 1, general: 3 });
  runners = [];
  changed = [];
});

afterEach(async () => {
  for (const r of runners) await r.stop();
  await orm.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Every stage runs the same handler (the real ones arrive with the downloads issue). */
function executors(handle: ItemHandler, workers = 2): StageExecutors {
  return {
    collect: collectStage(handle, undefined, workers),
    sync: syncStage(handle, undefined, workers),
    download: downloadStage(handle, undefined, workers),
    upload: uploadStage(handle, undefined, workers),
    task: { stageType: 'task', workers, handle },
  };
}

function newRunner(handle: ItemHandler, id = 'runner-a', workers = 2): JobRunner {
  const r = new JobRunner(repo, executors(handle, workers), log, { runnerId: id, heartbeatMs: 50, progressWriteMs: 0 }, () => {
    for (const f of changed.splice(0)) f();
  });
  runners.push(r);
  return r;
}

async function createJob(jobType: JobType, items: number, priority = 100): Promise<number> {
  const id = await repo.createJob({ jobType, lane: laneOf(jobType), priority, stages: stagesOf(jobType), scope: {}, requestedBy: 'test', configSnapshot: {} });
  for (const stage of await repo.stagesOf(id)) {
    await repo.addItems(id, stage.id, Array.from({ length: items }, (_, i) => ({ itemKey: `${stage.stageType}:${i}`, label: `Song ${i} / Artist` })));
  }
  return id;
}

/** Resolves when `check` holds, re-checking after each runner change and every 20 ms; fails after `ms`. */
async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise<void>((r) => {
      const t = setTimeout(r, 20);
      changed.push(() => {
        clearTimeout(t);
        r();
      });
    });
  }
}

const statusOf = async (id: number): Promise<string | undefined> => (await repo.findJob(id))?.status;

async function itemRows(jobId: number): Promise<{ item_key: string; status: string; attempts: number; done_bytes: number; next_attempt_at: number | null; last_error_code: string | null }[]> {
  return (await orm.em
    .fork()
    .getConnection()
    .execute(`select item_key, status, attempts, done_bytes, next_attempt_at, last_error_code from job_items where job_id = ? order by id`, [jobId], 'all')) as never;
}

/** A handler whose items wait until released; counts concurrent jobs per lane and successes per item. */
function gatedHandler() {
  const waiting: (() => void)[] = [];
  const runningJobs = new Map<number, number>();
  let maxDownloadJobs = 0;
  const succeeded = new Map<string, number>();
  const handle: ItemHandler = async (ctx: ItemContext): Promise<ItemOutcome> => {
    runningJobs.set(ctx.job.id, (runningJobs.get(ctx.job.id) ?? 0) + 1);
    const downloadJobs = [...runningJobs.entries()].filter(([, n]) => n > 0).length;
    if (ctx.job.lane === 'download') maxDownloadJobs = Math.max(maxDownloadJobs, downloadJobs);
    try {
      await new Promise<void>((resolve, reject) => {
        waiting.push(resolve);
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
      const key = `${ctx.job.id}/${ctx.item.itemKey}`;
      succeeded.set(key, (succeeded.get(key) ?? 0) + 1);
      return { status: 'succeeded' };
    } finally {
      runningJobs.set(ctx.job.id, (runningJobs.get(ctx.job.id) ?? 1) - 1);
    }
  };
  return {
    handle,
    releaseAll: () => waiting.splice(0).forEach((r) => r()),
    waitingCount: () => waiting.length,
    maxDownloadJobs: () => maxDownloadJobs,
    succeeded,
  };
}

describe('job runner', () => {
  it('runs one download job at a time while a general job runs beside it', async () => {
    const g = gatedHandler();
    const first = await createJob('download_only', 2);
    const second = await createJob('download_only', 2);
    const general = await createJob('sync_only', 2);
    const runner = newRunner(g.handle);
    await runner.start();
    await until(async () => (await statusOf(first)) === 'running' && (await statusOf(general)) === 'running');
    expect(await statusOf(second)).toBe('queued');
    // wakes and dispatch rounds while the lane is busy start nothing more
    runner.wake();
    runner.wake();
    await until(async () => g.waitingCount() >= 3);
    expect(await statusOf(second)).toBe('queued');

    const releaser = setInterval(g.releaseAll, 5);
    try {
      await until(async () => (await statusOf(second)) === 'completed' && (await statusOf(general)) === 'completed');
    } finally {
      clearInterval(releaser);
    }
    expect(await statusOf(first)).toBe('completed');
    expect(g.maxDownloadJobs()).toBe(1);
    expect((await repo.stagesOf(first))[0]).toMatchObject({ status: 'completed', succeededItems: 2 });
  });

  it('starts queued jobs by priority (lower first), then age', async () => {
    const order: number[] = [];
    const handle: ItemHandler = async (ctx) => {
      if (!order.includes(ctx.job.id)) order.push(ctx.job.id);
      return { status: 'succeeded' };
    };
    const late = await createJob('download_only', 1, 100);
    const urgent = await createJob('download_only', 1, 10);
    const early = await createJob('download_only', 1, 100);
    await newRunner(handle).start();
    await until(async () => (await statusOf(early)) === 'completed' && (await statusOf(late)) === 'completed');
    expect(order).toEqual([urgent, late, early]);
  });

  it('pauses mid-stage, then resumes and finishes every item exactly once', async () => {
    let calls = 0;
    const done = new Map<string, number>();
    const handle: ItemHandler = async (ctx) => {
      calls++;
      await new Promise((r) => setTimeout(r, 15));
      if (ctx.signal.aborted) throw new Error('aborted');
      done.set(ctx.item.itemKey, (done.get(ctx.item.itemKey) ?? 0) + 1);
      return { status: 'succeeded' };
    };
    const job = await createJob('download_only', 30);
    const runner = newRunner(handle);
    await runner.start();
    await until(async () => done.size >= 5);
    expect(await runner.control(job, 'pause')).toBe(true);
    await until(async () => (await statusOf(job)) === 'paused');
    const atPause = done.size;
    expect(atPause).toBeLessThan(30);
    expect((await itemRows(job)).filter((i) => i.status === 'running')).toHaveLength(0);
    expect(await runner.control(job, 'pause')).toBe(false); // not allowed twice: nothing changes

    expect(await runner.control(job, 'resume')).toBe(true);
    await until(async () => (await statusOf(job)) === 'completed');
    expect(done.size).toBe(30);
    expect([...done.values()].every((n) => n === 1)).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(30);
    expect((await repo.stagesOf(job))[0]).toMatchObject({ status: 'completed', succeededItems: 30 });
  });

  it('cancels a running job: in-flight items are interrupted, pending ones canceled', async () => {
    const g = gatedHandler();
    const job = await createJob('download_only', 10);
    const runner = newRunner(g.handle);
    await runner.start();
    await until(async () => g.waitingCount() === 2);
    expect(await runner.control(job, 'cancel')).toBe(true);
    await until(async () => (await statusOf(job)) === 'canceled');
    const items = await itemRows(job);
    expect(items.every((i) => i.status === 'canceled')).toBe(true);
    expect((await repo.stagesOf(job))[0]).toMatchObject({ status: 'canceled', canceledItems: 10 });
    expect(await runner.control(job, 'resume')).toBe(false);
    expect(await runner.control(job, 'cancel')).toBe(false);
  });

  it('cancels a queued job at once', async () => {
    const g = gatedHandler();
    const busy = await createJob('download_only', 1);
    const waiting = await createJob('download_only', 3);
    const runner = newRunner(g.handle);
    await runner.start();
    await until(async () => (await statusOf(busy)) === 'running');
    expect(await runner.control(waiting, 'cancel')).toBe(true);
    expect(await statusOf(waiting)).toBe('canceled');
    expect((await itemRows(waiting)).every((i) => i.status === 'canceled')).toBe(true);
    g.releaseAll();
  });

  it('schedules retries 1 min out for retryable failures, never for non-retryable codes', async () => {
    const handle: ItemHandler = async (ctx) => {
      const n = Number(ctx.item.itemKey.split(':')[1]);
      if (n === 0) return { status: 'failed', error: 'gone', code: 'file_not_found' };
      if (n === 1) return { status: 'failed', error: 'peer went away', code: 'transfer_error' };
      return { status: 'succeeded' };
    };
    const job = await createJob('download_only', 4);
    const before = Date.now();
    await newRunner(handle).start();
    await until(async () => (await statusOf(job)) === 'completed_with_errors');
    const [notFound, flaky] = await itemRows(job);
    expect(notFound).toMatchObject({ status: 'failed', last_error_code: 'file_not_found', next_attempt_at: null });
    expect(flaky).toMatchObject({ status: 'failed', last_error_code: 'transfer_error' });
    expect(flaky!.next_attempt_at! - before).toBeGreaterThanOrEqual(60_000);
    expect(flaky!.next_attempt_at! - before).toBeLessThan(65_000);
  });

  it('the retry scheduler retries a retryable failure after 1, 5 and 15 minutes (fake clock), then gives up', async () => {
    let runs = 0;
    const handle: ItemHandler = async () => {
      runs++;
      return { status: 'failed', error: 'peer went away', code: 'transfer_error' };
    };
    const runner = newRunner(handle);
    const tasks = new TaskCenter(repo, runner, createEventBus(), log, { rowMinIntervalMs: 0 });
    const job = await createJob('download_only', 1);
    await runner.start();
    await until(async () => (await statusOf(job)) === 'failed');
    const delays: number[] = [];
    for (let retry = 1; retry <= 3; retry++) {
      const [item] = await itemRows(job);
      const failedAt = Date.now();
      const due = item!.next_attempt_at!;
      delays.push(Math.round((due - failedAt) / 60_000));
      // not yet due a second before: nothing moves
      expect(await tasks.retryDue(new Date(due - 1000))).toEqual({ jobs: 0, items: 0 });
      expect(await tasks.retryDue(new Date(due))).toEqual({ jobs: 1, items: 1 });
      await until(async () => runs === retry + 1 && (await statusOf(job)) === 'failed');
      expect((await itemRows(job))[0]).toMatchObject({ status: 'failed', attempts: retry });
    }
    expect(delays).toEqual([1, 5, 15]);
    // three automatic retries made: no next attempt, and nothing is ever due again
    expect((await itemRows(job))[0]).toMatchObject({ attempts: 3, next_attempt_at: null });
    expect(await tasks.retryDue(new Date(Date.now() + 24 * 3600_000))).toEqual({ jobs: 0, items: 0 });
    expect(runs).toBe(4);
    tasks.close();
  });

  it('a retryFailedItems landing while the job writes its final status reopens the job instead of being lost', async () => {
    const attempts = new Map<string, number>();
    const handle: ItemHandler = async (ctx) => {
      const n = (attempts.get(ctx.item.itemKey) ?? 0) + 1;
      attempts.set(ctx.item.itemKey, n);
      return ctx.item.itemKey.endsWith(':0') && n === 1 ? { status: 'failed', error: 'peer went away', code: 'transfer_error' } : { status: 'succeeded' };
    };
    // hold the job's final status write until the retry has been asked for
    let hold: (() => void) | null = null;
    let held!: () => void;
    const reachedFinal = new Promise<void>((r) => (held = r));
    const store = new Proxy(repo, {
      get(target, prop, receiver) {
        if (prop === 'transitionJob') {
          return async (...args: Parameters<JobRepository['transitionJob']>) => {
            if (args[2] === 'completed_with_errors' && hold === null) {
              await new Promise<void>((r) => {
                hold = r;
                held();
              });
            }
            return target.transitionJob(...args);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const runner = new JobRunner(store, executors(handle), log, { runnerId: 'runner-a', heartbeatMs: 50, progressWriteMs: 0 });
    runners.push(runner);
    const job = await createJob('download_only', 2);
    await runner.start();
    await reachedFinal;
    const retry = runner.retryFailedItems(job);
    await new Promise((r) => setTimeout(r, 30));
    hold!();
    expect(await retry).toBe(1);
    await until(async () => (await statusOf(job)) === 'completed');
    expect((await itemRows(job)).map((i) => i.status)).toEqual(['succeeded', 'succeeded']);
    expect(attempts.get('download:0')).toBe(2);
    expect(attempts.get('download:1')).toBe(1);
  });

  it('a job whose items all fail is failed, and its later stages are skipped', async () => {
    const handle: ItemHandler = async () => ({ status: 'failed', error: 'nope', code: 'invalid_file' });
    const job = await createJob('sync_download', 2);
    await newRunner(handle).start();
    await until(async () => (await statusOf(job)) === 'failed');
    const stages = await repo.stagesOf(job);
    expect(stages.map((s) => s.status)).toEqual(['failed', 'skipped']);
  });

  it('reports progress as bytes and speed on the worker slot', async () => {
    const handle: ItemHandler = async (ctx) => {
      for (let b = 1; b <= 10; b++) {
        ctx.progress({ bytes: b * 50_000, totalBytes: 500_000 });
        await new Promise((r) => setTimeout(r, 40));
      }
      return { status: 'succeeded', bytes: 500_000 };
    };
    const job = await createJob('download_only', 1);
    const seen: { speed: number | null; bytes: number; status: string }[] = [];
    const r = newRunner(handle, 'runner-a', 1);
    await r.start();
    await until(async () => {
      const [w] = (await orm.em
        .fork()
        .getConnection()
        .execute(`select status, downloaded_bytes, speed_bytes_per_sec, progress_percent from job_workers where job_id = ?`, [job], 'all')) as {
        status: string;
        downloaded_bytes: number;
        speed_bytes_per_sec: number | null;
        progress_percent: number | null;
      }[];
      if (w) seen.push({ speed: w.speed_bytes_per_sec, bytes: w.downloaded_bytes, status: w.status });
      return (await statusOf(job)) === 'completed';
    });
    // progress reports keep the slot busy (they must not reset its status) and carry a measured speed
    expect(seen.some((s) => s.status === 'busy' && s.bytes >= 200_000 && s.speed !== null && s.speed > 0)).toBe(true);
    const [slot] = (await orm.em
      .fork()
      .getConnection()
      .execute(`select status, processed_count, error_count from job_workers where job_id = ?`, [job], 'all')) as {
      status: string;
      processed_count: number;
      error_count: number;
    }[];
    expect(slot).toEqual({ status: 'idle', processed_count: 1, error_count: 0 });
  });

  it('checkpoints in-flight items on shutdown and finishes them after a restart, each once', async () => {
    const done = new Map<string, number>();
    let hold = true;
    const inFlight = new Set<string>();
    const handle: ItemHandler = async (ctx) => {
      ctx.progress({ bytes: ctx.item.doneBytes + 1000, totalBytes: 2000 });
      inFlight.add(ctx.item.itemKey);
      try {
        while (hold && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 5));
        if (ctx.signal.aborted) throw new Error('aborted');
      } finally {
        inFlight.delete(ctx.item.itemKey);
      }
      done.set(ctx.item.itemKey, (done.get(ctx.item.itemKey) ?? 0) + 1);
      return { status: 'succeeded' };
    };
    const job = await createJob('download_only', 6);
    const first = newRunner(handle, 'runner-a');
    await first.start();
    await until(async () => inFlight.size === 2);
    await first.stop();
    expect(await statusOf(job)).toBe('queued');
    const items = await itemRows(job);
    expect(items.filter((i) => i.status === 'running')).toHaveLength(0);
    // the two interrupted items are pending again and keep their bytes: they resume from there
    expect(items.filter((i) => i.status === 'pending' && i.done_bytes === 1000)).toHaveLength(2);
    expect(done.size).toBe(0);

    hold = false;
    await newRunner(handle, 'runner-b').start();
    await until(async () => (await statusOf(job)) === 'completed');
    expect(done.size).toBe(6);
    expect([...done.values()].every((n) => n === 1)).toBe(true);
    expect((await itemRows(job)).filter((i) => i.done_bytes === 2000)).toHaveLength(2);
  });

  it('recovers a job left running by a dead process', async () => {
    const job = await createJob('download_only', 3);
    // a process that died mid-item: the job is running under its name, one item running
    expect(await repo.claimJob(job, 'dead-runner')).not.toBeNull();
    const [stage] = await repo.stagesOf(job);
    await repo.transitionStage(stage!.id, ['pending'], 'running');
    expect(await repo.claimItem(stage!.id, 'download-1')).not.toBeNull();

    const done = new Map<string, number>();
    await newRunner(async (ctx) => {
      done.set(ctx.item.itemKey, (done.get(ctx.item.itemKey) ?? 0) + 1);
      return { status: 'succeeded' };
    }).start();
    await until(async () => (await statusOf(job)) === 'completed');
    expect(done.size).toBe(3);
    const items = await itemRows(job);
    expect(items.map((i) => i.attempts).sort()).toEqual([0, 0, 1]); // the interrupted one counted an attempt
  });
});
