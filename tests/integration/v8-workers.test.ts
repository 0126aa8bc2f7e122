import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { platformThreadIds, SCHED_IDLE, SCHED_OTHER, v8PoolSize } from '../../server/process/v8-workers.js';

const run = promisify(execFile);

describe("V8's background threads at SCHED_IDLE", () => {
  it('reads the pool size Node runs with', () => {
    expect(v8PoolSize([])).toBe(4);
    expect(v8PoolSize(['--import', 'tsx'], '--v8-pool-size=2')).toBe(2);
    expect(v8PoolSize(['--v8-pool-size', '8'], '--v8-pool-size=2')).toBe(8); // the command line comes after NODE_OPTIONS
    expect(v8PoolSize(['--v8-pool-size=0'])).toBeNull();
  });

  it('picks the platform threads: the ones right after the main thread', () => {
    expect(platformThreadIds([107, 100, 101, 102, 103, 104, 105, 106], 100, 4)).toEqual({ ids: [101, 102, 103, 104, 105] });
    expect(platformThreadIds([100, 101, 102], 100, 4)).toMatchObject({ reason: expect.stringMatching(/fewer/) });
    expect(platformThreadIds([5, 100, 101, 102, 103, 104, 105], 100, 4)).toMatchObject({ reason: expect.stringMatching(/wrapped/) });
    expect(platformThreadIds([100, 101], 100, null)).toMatchObject({ reason: expect.stringMatching(/pool size 0/) });
  });

  it.runIf(process.platform === 'linux')('idles the threads that do V8 work and none of the threadpool, in a real process', async () => {
    const child = path.resolve(import.meta.dirname, '../helpers/v8-workers-child.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', child], { cwd: path.resolve(import.meta.dirname, '../..'), timeout: 60_000 });
    const r = JSON.parse(stdout) as { pid: number; result: { threads?: number[]; skipped?: string }; threadpool: number[]; v8: number[]; policies: Record<string, number> };
    expect(r.result.skipped).toBeUndefined();
    const idled = r.result.threads!;
    expect(idled).toHaveLength(5); // the delayed-task thread and 4 workers
    for (const tid of idled) expect(r.policies[tid]).toBe(SCHED_IDLE);
    expect(r.policies[r.pid]).toBe(SCHED_OTHER);
    // pbkdf2 ran on libuv's threadpool: those threads keep the normal policy
    expect(r.threadpool.filter((t) => t !== r.pid).length).toBeGreaterThanOrEqual(2);
    for (const tid of r.threadpool) {
      expect(idled).not.toContain(tid);
      expect(r.policies[tid]).toBe(SCHED_OTHER);
    }
    // the garbage collector's helpers worked, and only on the idled threads
    const helpers = r.v8.filter((t) => t !== r.pid);
    expect(helpers.length).toBeGreaterThan(0);
    for (const tid of helpers) expect(idled).toContain(tid);
  });
});
