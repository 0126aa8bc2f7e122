/**
 * V8's background threads (concurrent compilation, concurrent marking, parallel scavenges) run
 * at SCHED_IDLE, so they never hold a core that the main thread or libuv's threadpool (every
 * SQLite statement of node-sqlite3 runs there) is waiting for.
 *
 * Why: on a 2-core machine a statement's thread is woken on the core where a V8 worker is in the
 * middle of a 3–4 ms compile or marking slice, and waits that slice out while the other core sits
 * idle (the scheduler does not move it: the other core's idle spells are too short to pull work).
 * `perf sched timehist` of bench/jobs-latency.ts showed exactly that behind its p99; nice 19 does
 * not help (a running task keeps its slice under EEVDF), SCHED_IDLE does: a normal task that wakes
 * up preempts an idle-policy one at once. V8 copes with workers that run late: the main thread
 * joins parallel GC jobs itself and finishes marking when concurrent marking has not.
 *
 * Which threads: Node's platform creates, before any JavaScript runs, its delayed-task thread and
 * then its `--v8-pool-size` workers (default 4), right after the main thread; everything else
 * (libuv's threadpool, module loader and worker threads, inspector) comes later. Thread ids grow
 * in creation order, so they are the 1 + pool size ids after the process id. Linux only; the
 * policy is set with util-linux `chrt` (no Node API does it; lowering one's own priority needs no
 * privilege).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Node's default --v8-pool-size. */
export const DEFAULT_V8_POOL_SIZE = 4;
/** Linux scheduling policy numbers (sched.h). */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/** The --v8-pool-size in force (the last one wins, NODE_OPTIONS first), or the default; null for 0 (Node then sizes it itself). */
export function v8PoolSize(execArgv: readonly string[], nodeOptions = ''): number | null {
  let size = DEFAULT_V8_POOL_SIZE;
  const args = [...nodeOptions.split(/\s+/), ...execArgv];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--v8-pool-size(?:=(\d+))?$/.exec(a);
    if (!m) continue;
    const v = m[1] ?? args[i + 1];
    if (v !== undefined && /^\d+$/.test(v)) size = Number(v);
  }
  return size === 0 ? null : size;
}

/**
 * The ids of the platform's threads (its delayed-task thread and its workers) among a process's
 * thread ids, or why they cannot be told apart.
 */
export function platformThreadIds(threadIds: readonly number[], pid: number, poolSize: number | null): { ids: number[] } | { reason: string } {
  if (poolSize === null) return { reason: 'V8 pool size 0: Node chooses the size, so its threads cannot be counted' };
  const sorted = [...threadIds].sort((a, b) => a - b);
  if (sorted[0] !== pid) return { reason: 'the main thread is not the oldest thread (thread ids wrapped around)' };
  if (sorted.length < 2 + poolSize) return { reason: `${sorted.length} threads: fewer than the platform's ${1 + poolSize} plus the main thread` };
  return { ids: sorted.slice(1, 2 + poolSize) };
}

/** Field `n` (1-based, as proc(5) numbers them) of a /proc stat line. */
export function statField(stat: string, n: number): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on (the name may hold spaces)
  return Number(fields[n - 3]);
}

/** The scheduling policy of one of this process's threads. */
export async function threadPolicy(tid: number): Promise<number> {
  return statField(await fs.readFile(`/proc/self/task/${tid}/stat`, 'utf8'), 41);
}

export type IdleV8WorkersResult = { threads: number[] } | { skipped: string };

/** Puts this process's V8 platform threads on SCHED_IDLE; says which, or why not. Never throws. */
export async function idleV8Workers(opts: { chrt?: string } = {}): Promise<IdleV8WorkersResult> {
  if (process.platform !== 'linux') return { skipped: `not on Linux (${process.platform})` };
  try {
    const tids = (await fs.readdir('/proc/self/task')).map(Number);
    const found = platformThreadIds(tids, process.pid, v8PoolSize(process.execArgv, process.env.NODE_OPTIONS));
    if ('reason' in found) return { skipped: found.reason };
    await Promise.all(found.ids.map((tid) => run(opts.chrt ?? 'chrt', ['--idle', '-p', '0', String(tid)])));
    return { threads: found.ids };
  } catch (err) {
    return { skipped: err instanceof Error ? err.message : String(err) };
  }
}
