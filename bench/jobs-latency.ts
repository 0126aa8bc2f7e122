/**
 * Enqueue → start latency: 1,000 jobs one after another at concurrency 1, Roadie's task center on
 * SQLite against graphile-worker 0.17.3 on the local PostgreSQL, with graphile-worker's own latency
 * test method (perfTest/latencyTest.js in its repository) reproduced for both.
 *
 *   npm run bench:jobs-latency     (node --import tsx bench/jobs-latency.ts)
 *   options: --samples=1000 --warmup=100 --settle-ms=1000 --repeat=1 --only=roadie,graphile,roadie-repo,roadie-v8-normal,graphile-v8-idle
 *            --gap-ms=0     (a pause after each sample, so every job reaches an idle consumer; the original has none)
 *            --job-type=sync_only   (Roadie: a job type with one stage; its executor plans one item)
 *            --no-write   (print only)
 *            --cpu-prof   (each child writes CPU profiles to $TMPDIR/roadie-bench-profiles/latency-<name>/, one per thread
 *                          (tsx's loader thread has its own), named by Node;
 *                          profiled runs do not write bench/results)
 *
 * Every system runs in its own child process (this file with --child=<name>), one after another,
 * `repeat` times interleaved; the table shows the median of the repeats. Each child starts its
 * consumer, drains `warmup` jobs added at once (not counted), waits `settle-ms`, then adds one job,
 * waits for it, and records add → start with process.hrtime, `samples` times.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobType } from '../server/domain/jobs/types.js';
import { answerParent, forkChild, median, runInterleaved, flag, fmt, machine, machineLine, option, sleep, summarize, table, writeResults, type Summary, type ChildMessage as SharedChildMessage } from './lib/jobs-common.js';
import { ensurePostgres, PG_BASE } from './lib/jobs-peers.js';
import { idleV8Workers } from '../server/process/v8-workers.js';

const SAMPLES = Number(option('samples', '1000'));
const WARMUP = Number(option('warmup', '100'));
const SETTLE_MS = Number(option('settle-ms', '1000'));
/** A pause after each sample (not in the original method, which adds the next job at once): the consumer is idle when a job arrives. */
const GAP_MS = Number(option('gap-ms', '0'));
const REPEAT = Number(option('repeat', '1'));
const JOB_TYPE = option('job-type', 'sync_only') as JobType;
const CHILD = option('child', '');
const NO_WRITE = flag('no-write');
const CPU_PROF = flag('cpu-prof');
const ONLY = option('only', '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
/** The tracker's goal: Roadie's latency at most half of graphile-worker's. */
const GOAL_RATIO = 0.5;

/** What Roadie's start path did between enqueue and start (averaged over the measured jobs). */
interface StartPath {
  /** SQL statements (knex 'query' events) from the enqueue call until the item handler ran. */
  statementsPerJob: number;
  /** The same from the enqueue call until the job had finished (the whole cycle of one job). */
  statementsPerJobCycle: number;
  /** Statements of the start window by shape (normalizeSql). */
  statements: { sql: string; perJob: number }[];
  /** Calls the task center and the runner made on the store in the start window, in median order. */
  calls: { call: string; perJob: number; startMs: number; endMs: number }[];
}

interface LatencyResult {
  samples: number;
  summary: Summary;
  /** Every measured add → start latency in ms (µs resolution), in order. */
  latenciesMs: number[];
  notes: string[];
  startPath?: StartPath;
  /** The machine's 1-minute load average when the child started and when it finished (other work on the machine). */
  loadAverage?: [number, number];
}
type ChildMessage = SharedChildMessage<LatencyResult>;

interface System {
  name: string;
  label: string;
  /**
   * Put the child's V8 background threads on SCHED_IDLE first, as App.start does for Roadie
   * (ROADIE_IDLE_V8_WORKERS, on by default; server/process/v8-workers.ts).
   */
  idleV8: boolean;
  run: () => Promise<LatencyResult>;
}

const hr = (): bigint => process.hrtime.bigint();
const msBetween = (t0: bigint, t1: bigint): number => Number(t1 - t0) / 1e6;
const round3 = (v: number): number => Math.round(v * 1000) / 1000;

interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A thin Proxy that reports every method call to `record` when it is made (and, through the
 * function `record` returns, when its promise settles), so the start path can be timed without
 * touching the server's code. Calls go to the real object (`this` is the target), so the object's
 * own internal calls are not reported.
 */
type Recorder = ((call: string, t0: bigint) => ((t1: bigint) => void) | null) & {
  /** False outside the sampled windows: calls then go straight to the object (no wrapper made). */
  readonly active: () => boolean;
};
function traced<T extends object>(target: T, prefix: string, record: Recorder): T {
  const bound = new Map<string, unknown>();
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!record.active()) {
        let b = bound.get(prop);
        if (!b) bound.set(prop, (b = fn.bind(obj)));
        return b;
      }
      return (...args: unknown[]): unknown => {
        const settled = record(prefix + prop, hr());
        const out = fn.apply(obj, args);
        if (!settled) return out;
        if (out instanceof Promise) return out.finally(() => settled(hr()));
        settled(hr());
        return out;
      };
    },
  });
}

/** A statement's shape: literals (the ORM inlines its bindings) become ?, whitespace collapses, cut at 110 characters. */
function normalizeSql(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 110);
}

// ---- Roadie ----------------------------------------------------------------------------------------

/** One measured job: from the enqueue call to its item handler, then to its end. */
interface Window {
  t0: bigint;
  startedAt: bigint | null;
  started: Deferred<number>;
  statementsBeforeStart: number;
  statementsInCycle: number;
  /** Whether this job's start window is traced (calls and statement shapes recorded). */
  traced: boolean;
  calls: { call: string; startMs: number; endMs: number | null }[];
}

/** Every how many measured jobs one is traced. */
const TRACE_EVERY = 10;

/**
 * Roadie: JobRunner + JobRepository on a fresh SQLite file. The job type has one stage whose
 * executor plans one item; its handler records process.hrtime.bigint() and succeeds.
 * viaTaskCenter: enqueue = TaskCenter.createJob (what the GraphQL createJob mutation calls), with the
 * runner's changes fed to the task center as app.ts wires them; otherwise JobRepository.createJob +
 * the runner's hand-off that TaskCenter.createJob makes (offer(id), or wake() before it existed)
 * only (no 'created' event, no row published) — for information.
 */
async function runRoadie(viaTaskCenter: boolean): Promise<LatencyResult> {
  const [{ default: pino }, { openDatabase }, { JobRepository }, { JobRunner }, { createStageExecutors }, { DEFAULT_LANE_LIMITS, laneOf, stagesOf }, { TaskCenter, DEFAULT_PRIORITY }, { createEventBus }] =
    await Promise.all([
      import('pino'),
      import('../server/db/orm.js'),
      import('../server/db/repositories/job.repository.js'),
      import('../server/runner/runner.js'),
      import('../server/runner/executors/index.js'),
      import('../server/domain/jobs/catalog.js'),
      import('../server/jobs/task-center.js'),
      import('../server/events/bus.js'),
    ]);
  const stages = stagesOf(JOB_TYPE);
  if (stages.length !== 1) throw new Error(`--job-type must have one stage (${JOB_TYPE} has ${stages.join(', ')})`);
  const stageType = stages[0]!;
  const log = pino({ level: 'silent' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'roadie-bench-latency-'));
  const orm = await openDatabase(path.join(dir, 'db.sqlite'));
  try {
    const repo = new JobRepository(orm.em);
    await repo.ensureLanes(DEFAULT_LANE_LIMITS);

    let current: Window | null = null;
    const startedJobs = new Set<number>();
    const finishedJobs = new Set<number>();
    const finishWaiters = new Map<number, Deferred>();
    /**
     * Calls made in a measured job's start window; their end counts if it came before the start.
     * Only every TRACE_EVERY-th measured job is traced (the others run without wrappers and keep
     * no records: what the tracing allocates and retains would otherwise weigh on Roadie's own
     * figures through the garbage collector).
     */
    const record: Recorder = Object.assign(
      (call: string, t0: bigint) => {
        const w = current;
        if (!w?.traced || w.startedAt !== null || t0 < w.t0) return null;
        const c: Window['calls'][number] = { call, startMs: msBetween(w.t0, t0), endMs: null };
        w.calls.push(c);
        return (t1: bigint) => {
          if (w.startedAt === null || t1 <= w.startedAt) c.endMs = msBetween(w.t0, t1);
        };
      },
      { active: () => current?.traced === true && current.startedAt === null },
    );

    const handle = async (ctx: { job: { id: number } }): Promise<{ status: 'succeeded' }> => {
      const t = hr();
      startedJobs.add(ctx.job.id);
      const w = current;
      if (w && w.startedAt === null) {
        w.startedAt = t;
        w.started.resolve(ctx.job.id);
      }
      return { status: 'succeeded' };
    };
    const executors = createStageExecutors({
      [stageType]: { handle, plan: async () => [{ itemKey: 'only', label: 'latency' }], workers: 1 },
    });

    let taskCenter: InstanceType<typeof TaskCenter> | null = null;
    let runnerRef: InstanceType<typeof JobRunner> | null = null; // the change callback is handed to its constructor
    const onChange = ({ jobId }: { jobId: number }): void => {
      taskCenter?.jobChanged(jobId);
      // the runner reports a job's end after it left its active set
      if (startedJobs.has(jobId) && !finishedJobs.has(jobId) && runnerRef && !runnerRef.activeJobIds().includes(jobId)) {
        finishedJobs.add(jobId);
        finishWaiters.get(jobId)?.resolve();
        finishWaiters.delete(jobId);
      }
    };
    const runner = new JobRunner(traced(repo, 'runner→', record), executors, log, { runnerId: 'bench', heartbeatMs: 5_000, progressWriteMs: 250 }, onChange);
    runnerRef = runner;
    if (viaTaskCenter) {
      taskCenter = new TaskCenter(traced(repo, 'taskCenter→', record), traced(runner, 'taskCenter→runner.', record), createEventBus(), log, { rowMinIntervalMs: 250 });
    }
    const tc = taskCenter;
    const direct = traced(repo, 'bench→', record);
    const enqueue = async (): Promise<number> => {
      if (tc) {
        const res = await tc.createJob({ jobType: JOB_TYPE, requestedBy: 'bench' });
        if (!res.ok) throw new Error(`createJob: ${res.error.message}`);
        return res.job.jobId;
      }
      const id = await direct.createJob({
        jobType: JOB_TYPE,
        lane: laneOf(JOB_TYPE),
        priority: DEFAULT_PRIORITY,
        stages: stagesOf(JOB_TYPE),
        scope: {},
        requestedBy: 'bench',
        configSnapshot: {},
      });
      // the runner's hand-off for a new job, as TaskCenter.createJob makes it: offer(id) where the
      // runner has it (being reworked alongside this benchmark), else wake()
      const r = runner as unknown as { offer?: (jobId: number) => void; wake: () => void };
      const settled = record(typeof r.offer === 'function' ? 'bench→runner.offer' : 'bench→runner.wake', hr());
      if (typeof r.offer === 'function') r.offer(id);
      else r.wake();
      settled?.(hr());
      return id;
    };
    const finished = (id: number): Promise<void> => {
      if (finishedJobs.has(id)) return Promise.resolve();
      let d = finishWaiters.get(id);
      if (!d) {
        d = deferred();
        finishWaiters.set(id, d);
      }
      return d.promise;
    };

    const conn = orm.em.getConnection();
    // both connections: the writer's and the reader's (the task-center rows read on the latter)
    const knexes = [conn.getKnex(), orm.em.getConnection('read').getKnex()];
    const startWindowSql: string[] = []; // shaped after the run, to keep the measured path light
    const countStatement = (q: { sql?: string }): void => {
      const w = current;
      if (!w) return;
      w.statementsInCycle++;
      if (w.startedAt !== null) return;
      w.statementsBeforeStart++;
      if (w.traced) startWindowSql.push(q.sql ?? '?');
    };
    for (const knex of knexes) knex.on('query', countStatement);

    await runner.start();

    // Warm up: `WARMUP` jobs added at once (the peer adds them in one statement), drained.
    const warm: number[] = [];
    for (let i = 0; i < WARMUP; i++) warm.push(await enqueue());
    for (const id of warm) await finished(id);
    await sleep(SETTLE_MS); // let things settle

    const latencies: number[] = [];
    const statementsBeforeStart: number[] = [];
    const statementsInCycle: number[] = [];
    const windows: Window[] = []; // the traced ones
    for (let i = 0; i < SAMPLES; i++) {
      const w: Window = { t0: 0n, startedAt: null, started: deferred<number>(), statementsBeforeStart: 0, statementsInCycle: 0, traced: i % TRACE_EVERY === 0, calls: [] };
      current = w;
      w.t0 = hr();
      const id = await enqueue();
      const startedId = await w.started.promise;
      if (startedId !== id) throw new Error(`job ${startedId} started while job ${id} was awaited`);
      latencies.push(msBetween(w.t0, w.startedAt!));
      await finished(id); // concurrency 1: the next job is added once this one has finished
      current = null;
      statementsBeforeStart.push(w.statementsBeforeStart);
      statementsInCycle.push(w.statementsInCycle);
      if (w.traced) windows.push(w);
      if (GAP_MS > 0) await sleep(GAP_MS);
    }
    for (const knex of knexes) knex.removeListener('query', countStatement);
    await runner.stop();
    taskCenter?.close();
    const [{ n }] = (await conn.execute(`select count(*) as n from job_runs where status = 'completed'`)) as [{ n: number }];
    if (n !== WARMUP + SAMPLES) throw new Error(`Roadie: ${n} of ${WARMUP + SAMPLES} jobs completed`);

    // where the start path went: each call's share of the windows, with median offsets
    const byCall = new Map<string, { count: number; starts: number[]; ends: number[] }>();
    for (const w of windows) {
      for (const c of w.calls) {
        const e = byCall.get(c.call) ?? { count: 0, starts: [], ends: [] };
        e.count++;
        e.starts.push(c.startMs);
        if (c.endMs !== null) e.ends.push(c.endMs);
        byCall.set(c.call, e);
      }
    }
    const calls = [...byCall.entries()]
      .map(([call, e]) => ({ call, perJob: round3(e.count / windows.length), startMs: round3(median(e.starts)), endMs: round3(median(e.ends)) }))
      .sort((a, b) => a.startMs - b.startMs);
    const sqlCounts = new Map<string, number>();
    for (const raw of startWindowSql) {
      const sql = normalizeSql(raw);
      sqlCounts.set(sql, (sqlCounts.get(sql) ?? 0) + 1);
    }
    const statements = [...sqlCounts.entries()]
      .map(([sql, c]) => ({ sql, perJob: round3(c / windows.length) }))
      .filter((x) => x.perJob >= 0.01)
      .sort((a, b) => b.perJob - a.perJob);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      samples: SAMPLES,
      summary: summarize(latencies),
      latenciesMs: latencies.map(round3),
      startPath: {
        statementsPerJob: round3(mean(statementsBeforeStart)),
        statementsPerJobCycle: round3(mean(statementsInCycle)),
        statements,
        calls,
      },
      notes: [
        viaTaskCenter
          ? 'enqueue = TaskCenter.createJob (what the GraphQL createJob mutation calls: repository createJob, the runner told, a "created" event, the row published; the order is in the start-path table); the runner\'s changes go to TaskCenter.jobChanged as app.ts wires them (rows throttled to 250 ms)'
          : `enqueue = JobRepository.createJob + JobRunner.${typeof (runner as unknown as { offer?: unknown }).offer === 'function' ? 'offer(id)' : 'wake()'} only (no event, no row published), for information`,
        `${JOB_TYPE} jobs (${laneOf(JOB_TYPE)} lane, default lane limits), one ${stageType} stage whose executor plans one item, 1 item worker; start = the item handler invoked`,
        'SQLite file in WAL mode, synchronous=NORMAL (openDatabase), fresh per run',
      ],
    };
  } finally {
    await orm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- graphile-worker --------------------------------------------------------------------------------

/**
 * graphile-worker's perfTest/latencyTest.js, reproduced: runTaskList({ concurrency: 1 }) on a pg
 * Pool with a 'latency' task that records process.hrtime at its invocation and resolves the job's
 * deferred; 100 warm-up jobs added in one statement, the queue drained, the latencies reset, 1 s
 * pause; then per sample: hrtime, `select add_job('latency', …)` on one dedicated client, await the
 * deferred.
 */
async function runGraphile(): Promise<LatencyResult> {
  const why = ensurePostgres();
  if (why) throw new Error(why);
  const [{ Logger, makeWorkerUtils, runTaskList }, { default: pg }] = await Promise.all([import('graphile-worker'), import('pg')]);
  const connectionString = `${PG_BASE}/${option('pg-database', 'postgres')}`;
  const schema = `roadie_bench_gwl_${process.pid}`;
  const logger = new Logger(() => () => {});
  const utils = await makeWorkerUtils({ connectionString, schema, logger });
  const pgPool = new pg.Pool({ connectionString });
  try {
    await utils.migrate();
    const startTimes = new Map<number, bigint>();
    const deferreds = new Map<number, Deferred>();
    let latencies: number[] = [];
    const workerPool = runTaskList(
      { concurrency: 1, schema, logger, noHandleSignals: true },
      {
        latency: (payload) => {
          const { id } = payload as { id: number };
          const t = hr();
          const t0 = startTimes.get(id);
          if (t0 !== undefined) latencies.push(msBetween(t0, t));
          deferreds.get(id)?.resolve();
        },
      },
      pgPool,
    );
    const forEmptyQueue = async (): Promise<void> => {
      for (;;) {
        const { rows } = await pgPool.query<{ count: string }>(
          `select count(*) from ${schema}._private_jobs as jobs
           where task_id = (select id from ${schema}._private_tasks as tasks where identifier = 'latency')`,
        );
        if (Number(rows[0]?.count ?? 0) === 0) return;
        await sleep(20);
      }
    };

    // Warm up
    await pgPool.query(`select ${schema}.add_job('latency', json_build_object('id', -i)) from generate_series(1, ${WARMUP}) i`);
    await forEmptyQueue();
    latencies = []; // reset
    await sleep(SETTLE_MS); // let things settle

    const client = await pgPool.connect();
    try {
      for (let id = 0; id < SAMPLES; id++) {
        const d = deferred();
        deferreds.set(id, d);
        startTimes.set(id, hr());
        await client.query(`select ${schema}.add_job('latency', json_build_object('id', $1::int))`, [id]);
        await d.promise;
        if (GAP_MS > 0) await sleep(GAP_MS);
      }
    } finally {
      client.release();
    }
    await forEmptyQueue();
    if (latencies.length !== SAMPLES) throw new Error(`graphile-worker: ${latencies.length} latencies for ${SAMPLES} samples`);
    await workerPool.gracefulShutdown();
    return {
      samples: SAMPLES,
      summary: summarize(latencies),
      latenciesMs: latencies.map(round3),
      notes: [
        `runTaskList({ concurrency: 1 }) on a pg Pool, fresh schema ${schema} (dropped afterwards), default settings (no localQueue); add_job on one dedicated client; start = the task function invoked`,
      ],
    };
  } finally {
    await pgPool.end().catch(() => undefined);
    await utils.withPgClient((c) => c.query(`drop schema if exists ${schema} cascade`)).catch(() => undefined);
    await utils.release();
  }
}

const SYSTEMS: System[] = [
  { name: 'roadie', label: 'Roadie (TaskCenter.createJob, SQLite)', idleV8: true, run: () => runRoadie(true) },
  { name: 'graphile', label: 'graphile-worker 0.17.3 (PostgreSQL)', idleV8: false, run: runGraphile },
  { name: 'roadie-repo', label: 'Roadie, repository createJob + runner hand-off only (info)', idleV8: true, run: () => runRoadie(false) },
  { name: 'roadie-v8-normal', label: "Roadie (TaskCenter.createJob), V8's background threads left at the normal policy (info: ROADIE_IDLE_V8_WORKERS=false)", idleV8: false, run: () => runRoadie(true) },
  { name: 'graphile-v8-idle', label: "graphile-worker, its process's V8 background threads at SCHED_IDLE as Roadie does (info)", idleV8: true, run: runGraphile },
];

// ---- child -----------------------------------------------------------------------------------------

async function child(name: string): Promise<void> {
  await answerParent(async () => {
    const sys = SYSTEMS.find((s) => s.name === name);
    if (!sys) throw new Error(`unknown system ${name}`);
    let v8Note = "V8's background threads at the normal scheduling policy";
    if (sys.idleV8) {
      const r = await idleV8Workers();
      if ('skipped' in r) throw new Error(`V8 threads not set to SCHED_IDLE: ${r.skipped}`);
      v8Note = `V8's background threads (${r.threads.length}: the platform's delayed-task thread and workers) at SCHED_IDLE, as App.start does`;
    }
    const load0 = os.loadavg()[0]!;
    const result = await sys.run();
    return { ...result, notes: [...result.notes, v8Note], loadAverage: [load0, os.loadavg()[0]!] as [number, number] };
  });
}

function runChild(name: string): Promise<ChildMessage> {
  const execArgv = ['--import', 'tsx'];
  if (CPU_PROF) {
    // one folder per system and Node's own file names: a fixed name would let tsx's loader thread overwrite the main thread's profile
    const dir = path.join(os.tmpdir(), 'roadie-bench-profiles', `latency-${name}`);
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  return forkChild(fileURLToPath(import.meta.url), name, execArgv);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const systems = SYSTEMS.filter((s) => ONLY.length === 0 || ONLY.includes(s.name));
  const { runs, unavailable } = await runInterleaved(systems.map((s) => s.name), REPEAT, runChild, (x) => {
    const extra = x.startPath ? `, ${fmt(x.startPath.statementsPerJob, 1)} statements before start` : '';
    const load = x.loadAverage ? `, load ${fmt(x.loadAverage[0])}→${fmt(x.loadAverage[1])}` : '';
    return `p50 ${fmt(x.summary.p50)} ms, p99 ${fmt(x.summary.p99)} ms, mean ${fmt(x.summary.mean)} ms${extra}${load}`;
  });
  const med = (name: string, key: keyof Summary): number => (runs[name] ? median(runs[name].map((x) => x.summary[key])) : NaN);
  const range = (name: string, key: keyof Summary): string => {
    const v = runs[name]!.map((x) => x.summary[key]);
    return `${fmt(Math.min(...v))}–${fmt(Math.max(...v))}`;
  };
  const rows = systems
    .filter((s) => runs[s.name])
    .map((s) => [
      s.label,
      fmt(med(s.name, 'p50')),
      fmt(med(s.name, 'p90')),
      fmt(med(s.name, 'p99')),
      fmt(med(s.name, 'max')),
      fmt(med(s.name, 'mean')),
      range(s.name, 'p50'),
      range(s.name, 'p99'),
    ]);
  const head = ['system', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms', 'p50 min–max', 'p99 min–max'];
  const ratioP50 = med('roadie', 'p50') / med('graphile', 'p50');
  const ratioP99 = med('roadie', 'p99') / med('graphile', 'p99');
  const verdict = (r: number): string => (Number.isFinite(r) ? (r <= GOAL_RATIO ? 'met' : 'not met') : 'not measured');
  const ratioLine = `Roadie ÷ graphile-worker: p50 ${fmt(ratioP50)}, p99 ${fmt(ratioP99)} (goal ≤ ${fmt(GOAL_RATIO)}: p50 ${verdict(ratioP50)}, p99 ${verdict(ratioP99)}).`;

  // the start path of the Roadie run with the median p50
  const startPathSection = (name: string, title: string): string[] => {
    const rs = runs[name];
    if (!rs) return [];
    const p50 = median(rs.map((x) => x.summary.p50));
    const pick = [...rs].sort((a, b) => Math.abs(a.summary.p50 - p50) - Math.abs(b.summary.p50 - p50))[0]!;
    const sp = pick.startPath;
    if (!sp) return [];
    return [
      `## ${title}`,
      '',
      `Statements per job between the enqueue call and the item handler: **${fmt(sp.statementsPerJob, 1)}** (median of runs: ${fmt(median(rs.map((x) => x.startPath?.statementsPerJob ?? NaN)), 1)}); from the enqueue call until the job had finished: ${fmt(sp.statementsPerJobCycle, 1)}. Counted as knex 'query' events on the ORM's connections (the job repository's prepared statements announce themselves there too); rows below are from the run whose p50 is nearest the median (${fmt(pick.summary.p50)} ms), traced on every ${TRACE_EVERY}th job (the others run without the tracing wrappers); statement shapes under 0.01 per job are left out.`,
      '',
      table(
        ['store call in the start window (who → what)', 'calls per job', 'called at ms (median)', 'settled at ms (median)'],
        sp.calls.map((c) => [`\`${c.call}\``, fmt(c.perJob), fmt(c.startMs, 3), fmt(c.endMs, 3)]),
      ),
      '',
      table(
        ['SQL statement in the start window', 'per job'],
        sp.statements.map((s) => [`\`${s.sql.replace(/\|/g, '\\|')}\``, fmt(s.perJob)]),
      ),
      '',
    ];
  };

  const loads = Object.values(runs).flatMap((rs) => rs.flatMap((x) => x.loadAverage ?? []));
  const loadLine = loads.length ? `1-minute load average of the machine at the start and end of each child: ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))} on ${os.cpus().length} cores.` : '';
  const m = machine();
  const notes = systems.filter((s) => runs[s.name]).map((s) => `- **${s.label}**: ${runs[s.name]![0]!.notes.join('; ')}`);
  const md = [
    '# Enqueue → start latency benchmark',
    '',
    `Generated by \`npm run bench:jobs-latency\` (bench/jobs-latency.ts) on ${startedAt.toISOString()}.`,
    '',
    `Machine: ${machineLine(m)}.`,
    '',
    `${SAMPLES.toLocaleString('en-US')} jobs one after another at concurrency 1, after ${WARMUP} warm-up jobs; add → start in ms, median of ${REPEAT} run${REPEAT === 1 ? '' : 's'} per system (each statistic separately), systems interleaved${GAP_MS > 0 ? `; a ${GAP_MS} ms pause after each sample (--gap-ms, not in the original method)` : ''}.`,
    '',
    table(head, rows),
    '',
    ratioLine,
    '',
    loadLine,
    '',
    ...notes,
    ...Object.entries(unavailable).map(([k, v]) => `- **${k}**: unavailable — ${v.split('\n')[0]}`),
    '',
    ...startPathSection('roadie', "Roadie's start path (TaskCenter.createJob)"),
    ...startPathSection('roadie-repo', "Roadie's start path without the task center (info)"),
    `Method: graphile-worker's own latency test (perfTest/latencyTest.js in graphile/worker) reproduced: its consumer is started first (runTaskList with concurrency 1 on a pg Pool); ${WARMUP} warm-up jobs are added in one statement (add_job over generate_series) and drained (its forEmptyQueue polls the job count; here with 20 ms between polls, the original does not wait between them), the latencies are reset and it pauses ${SETTLE_MS / 1000} s; then, ${SAMPLES.toLocaleString('en-US')} times, it takes process.hrtime, calls add_job on one dedicated client and awaits a deferred that the task function resolves when it is invoked. The latency is hrtime at the task's invocation minus hrtime before add_job. As in the original, the next job is added as soon as the previous one has started (graphile-worker completes jobs asynchronously; concurrency 1 is the pool's). Differences: a fresh schema instead of graphile_worker, a silent logger, noHandleSignals, and percentiles computed from the samples (the original prints min / max / mean only). Roadie goes through the same steps in-process on a fresh SQLite file: JobRunner.start(), ${WARMUP} warm-up jobs enqueued back to back and drained, the same pause, then per sample hrtime → enqueue → the stage's item handler records hrtime; the next job is enqueued once the previous one has finished (the runner has reported its end), so Roadie never has two jobs in flight. The store calls are timed through a thin Proxy around the repository (below a microsecond per call). Percentiles are nearest-rank. PostgreSQL 15 at 127.0.0.1:5432, local.`,
    '',
    'Figures are from this run only; jobs-latency.json has every run and every sample.',
  ].join('\n');
  console.log(`\n${machineLine(m)}, ${startedAt.toISOString()}\n`);
  console.log(table(head, rows));
  console.log(`\n${ratioLine}\n${loadLine}`);
  for (const name of ['roadie', 'roadie-repo']) {
    const sp = runs[name]?.[0]?.startPath;
    if (sp) console.log(`${name}: ${fmt(median(runs[name]!.map((x) => x.startPath?.statementsPerJob ?? NaN)), 1)} SQL statements per job between enqueue and start (${fmt(sp.statementsPerJobCycle, 1)} per whole job)`);
  }
  for (const [k, v] of Object.entries(unavailable)) console.log(`${k}: unavailable — ${v.split('\n')[0]}`);
  if (!NO_WRITE && !CPU_PROF) {
    writeResults(
      'jobs-latency',
      {
        date: startedAt.toISOString(),
        durationS: (Date.now() - startedAt.getTime()) / 1000,
        machine: m,
        settings: { samples: SAMPLES, warmup: WARMUP, settleMs: SETTLE_MS, gapMs: GAP_MS, repeat: REPEAT, jobType: JOB_TYPE },
        ratio: { p50: ratioP50, p99: ratioP99, goal: GOAL_RATIO },
        runs,
        unavailable,
      },
      md,
    );
    console.log('\nwrote bench/results/jobs-latency.{json,md}');
  }
}

if (CHILD) await child(CHILD);
else await main();
