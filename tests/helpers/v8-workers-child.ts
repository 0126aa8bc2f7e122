/**
 * Run as a child process by tests/integration/v8-workers.test.ts: puts this process's V8 threads
 * on SCHED_IDLE as App.start does, then shows which threads do libuv threadpool work (pbkdf2) and
 * which do V8 background work (garbage churn), with every thread's scheduling policy, as JSON.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { idleV8Workers, statField, threadPolicy } from '../../server/process/v8-workers.js';

/** CPU clock ticks (utime + stime, fields 14 and 15) per thread of this process, read synchronously (async reads would run on the threadpool being watched). */
function ticks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of fs.readdirSync('/proc/self/task').map(Number)) {
    const stat = fs.readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
    out.set(t, statField(stat, 14) + statField(stat, 15));
  }
  return out;
}
const grew = (a: Map<number, number>, b: Map<number, number>): number[] => [...b].filter(([t, v]) => v > (a.get(t) ?? 0)).map(([t]) => t);

const result = await idleV8Workers();
const t0 = ticks();
await Promise.all(Array.from({ length: 8 }, () => new Promise((resolve) => crypto.pbkdf2('x', 'y', 200_000, 32, 'sha256', resolve))));
const t1 = ticks();
let keep: { i: number; s: string }[] = [];
for (let i = 0; i < 3_000_000; i++) {
  keep.push({ i, s: `x${i}` });
  if (keep.length > 1_000_000) keep = [];
}
const t2 = ticks();
const policies: Record<number, number> = {};
for (const tid of t2.keys()) policies[tid] = await threadPolicy(tid);
process.stdout.write(JSON.stringify({ pid: process.pid, result, threadpool: grew(t0, t1), v8: grew(t1, t2), policies, kept: keep.length }));
