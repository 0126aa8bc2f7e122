/**
 * Draining 20,000 no-op items: Roadie's lanes on SQLite against BullMQ 6.7 on the local Redis and
 * graphile-worker 0.17.3 on the local PostgreSQL, in the same run.
 *
 *   npm run bench:jobs-drain     (node --import tsx bench/jobs-drain.ts)
 *   options: --items=20000 --concurrency=10 --repeat=3 --only=roadie,bullmq,graphile,graphile-lq
 *            --no-write   (print only)
 *            --cpu-prof   (each child writes a CPU profile to $TMPDIR/roadie-bench-profiles/drain-<name>.cpuprofile;
 *                          profiled runs do not write bench/results)
 *
 * Every system runs in its own child process (this file with --child=<name>), one after another,
 * `repeat` times interleaved; the table shows the median of the repeats. Each child enqueues all
 * the work first (not timed), then times start → last item done.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { idleV8Workers } from '../server/process/v8-workers.js';
import { answerParent, forkChild, median, runInterleaved, flag, fmt, fmtInt, machine, machineLine, option, table, writeResults, type ChildMessage as SharedChildMessage } from './lib/jobs-common.js';
import { ensurePostgres, ensureRedis, PG_BASE, REDIS } from './lib/jobs-peers.js';

const ITEMS = Number(option('items', '20000'));
const CONCURRENCY = Number(option('concurrency', '10'));
const REPEAT = Number(option('repeat', '3'));
const CHILD = option('child', '');
const NO_WRITE = flag('no-write');
const CPU_PROF = flag('cpu-prof');
const ONLY = option('only', '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

interface DrainResult {
  items: number;
  seconds: number;
  perSecond: number;
  enqueueSeconds: number;
  notes: string[];
}
type ChildMessage = SharedChildMessage<DrainResult>;

interface System {
  name: string;
  label: string;
  run: () => Promise<DrainResult>;
}

const noop = async (): Promise<void> => {};
const hr = (): bigint => process.hrtime.bigint();
const secondsSince = (t0: bigint): number => Number(hr() - t0) / 1e9;

// ---- Roadie ----------------------------------------------------------------------------------------

/**
 * Roadie: JobRunner + JobRepository on a fresh SQLite file, a no-op handler for every stage.
 * The items are spread over jobs in both lanes: download_only jobs (download lane, limit 1,
 * DOWNLOAD_WORKERS item workers) and sync_only jobs (general lane, limit 3, GENERAL_WORKERS each),
 * so that at most 1 × 4 + 3 × 2 = 10 items are in flight, like the peers' concurrency 10.
 */
async function runRoadie(): Promise<DrainResult> {
  const [{ default: pino }, { openDatabase }, { JobRepository }, { JobRunner }, { createStageExecutors }, { laneOf, stagesOf }] = await Promise.all([
    import('pino'),
    import('../server/db/orm.js'),
    import('../server/db/repositories/job.repository.js'),
    import('../server/runner/runner.js'),
    import('../server/runner/executors/index.js'),
    import('../server/domain/jobs/catalog.js'),
  ]);
  const DOWNLOAD_WORKERS = Number(option('download-workers', '4'));
  const GENERAL_WORKERS = Number(option('general-workers', '2'));
  const DOWNLOAD_JOBS = Number(option('download-jobs', '2'));
  const GENERAL_JOBS = Number(option('general-jobs', '4'));
  // as App.start does (ROADIE_IDLE_V8_WORKERS, on by default)
  const v8 = await idleV8Workers();
  if ('skipped' in v8) throw new Error(`V8 threads not set to SCHED_IDLE: ${v8.skipped}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'roadie-bench-drain-'));
  const orm = await openDatabase(path.join(dir, 'db.sqlite'));
  try {
    const repo = new JobRepository(orm.em);
    await repo.ensureLanes({ download: 1, general: 3 });
    const handle = async (): Promise<{ status: 'succeeded' }> => ({ status: 'succeeded' });
    const executors = createStageExecutors({
      download: { handle, workers: DOWNLOAD_WORKERS },
      sync: { handle, workers: GENERAL_WORKERS },
    });
    const t0 = hr();
    const jobTypes = [...Array.from({ length: DOWNLOAD_JOBS }, () => 'download_only' as const), ...Array.from({ length: GENERAL_JOBS }, () => 'sync_only' as const)];
    const perJob = Math.floor(ITEMS / jobTypes.length);
    let made = 0;
    const jobIds: number[] = [];
    for (const [j, jobType] of jobTypes.entries()) {
      const n = j === jobTypes.length - 1 ? ITEMS - made : perJob;
      const id = await repo.createJob({ jobType, lane: laneOf(jobType), priority: 100, stages: stagesOf(jobType), scope: {}, requestedBy: 'bench', configSnapshot: {} });
      const [stage] = await repo.stagesOf(id);
      for (let i = 0; i < n; i += 400) {
        await repo.addItems(
          id,
          stage!.id,
          Array.from({ length: Math.min(400, n - i) }, (_, k) => ({ itemKey: `${i + k}`, label: `Song ${i + k}` })),
        );
      }
      made += n;
      jobIds.push(id);
    }
    const enqueueSeconds = secondsSince(t0);
    const conn = orm.em.getConnection();
    const finished = async (): Promise<number> =>
      ((await conn.execute(`select count(*) as n from job_runs where status in ('completed', 'completed_with_errors', 'failed', 'canceled')`)) as { n: number }[])[0]!.n;
    // completion is polled every 25 ms (one count query), so the runner's own work is not slowed by the check
    const knex = conn.getKnex();
    let statements = 0;
    const countStatement = (): void => {
      statements++;
    };
    const runner = new JobRunner(repo, executors, pino({ level: 'silent' }), { runnerId: 'bench', heartbeatMs: 5_000, progressWriteMs: 1_000 });
    const allDone = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        void finished().then((n) => {
          if (n === jobIds.length) {
            clearInterval(timer);
            resolve();
          }
        });
      }, 25);
    });
    knex.on('query', countStatement);
    const t1 = hr();
    await runner.start();
    await allDone;
    const seconds = secondsSince(t1);
    knex.removeListener('query', countStatement);
    await runner.stop();
    const polls = Math.ceil((seconds * 1000) / 25);
    const [{ succeeded }] = (await conn.execute(`select count(*) as succeeded from job_items where status = 'succeeded'`)) as [{ succeeded: number }];
    if (succeeded !== ITEMS) throw new Error(`Roadie: ${succeeded} of ${ITEMS} items succeeded`);
    return {
      items: ITEMS,
      seconds,
      perSecond: ITEMS / seconds,
      enqueueSeconds,
      notes: [
        `${DOWNLOAD_JOBS} download_only jobs (download lane, limit 1, ${DOWNLOAD_WORKERS} item workers) + ${GENERAL_JOBS} sync_only jobs (general lane, limit 3, ${GENERAL_WORKERS} item workers each): at most ${Math.min(DOWNLOAD_JOBS, 1) * DOWNLOAD_WORKERS + Math.min(GENERAL_JOBS, 3) * GENERAL_WORKERS} items in flight`,
        'SQLite file in WAL mode, synchronous=NORMAL (openDatabase); the runner\'s default item traffic: the ends and claims of all item workers go to the database together, one guarded UPDATE per exchange, and a worker whose items finish within 5 ms claims up to 16 at a time (server/domain/jobs/claim-size.ts; at most 10 handlers still run at once)',
        `${fmt((statements - polls) / ITEMS, 1)} SQL statements per item during the drain (knex 'query' events, minus the benchmark's completion polls every 25 ms)`,
        "V8's background threads at SCHED_IDLE, as App.start does",
      ],
    };
  } finally {
    await orm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- BullMQ ----------------------------------------------------------------------------------------

/**
 * BullMQ is not a dependency of the project: its optional native add-on (msgpackr-extract)
 * leaves a lock file that `npm ci` rejects under npm 11. Install it for a run with
 * `npm install --no-save bullmq@6.7.0`; loaded by a computed name, so without it the BullMQ
 * row is reported unavailable. It needs a constructed ioredis client under native ESM.
 */
type BullConnection = unknown;
interface BullMq {
  Queue: new (name: string, opts: { connection: BullConnection }) => {
    obliterate(o: { force: boolean }): Promise<void>;
    addBulk(jobs: { name: string; data: unknown }[]): Promise<unknown>;
    close(): Promise<void>;
  };
  Worker: new (
    name: string,
    fn: () => Promise<void>,
    opts: { connection: BullConnection; concurrency: number },
  ) => { on(event: 'completed', cb: () => void): void; close(): Promise<void>; waitUntilReady(): Promise<unknown> };
}
async function redisClientFactory(): Promise<() => BullConnection> {
  const spec = 'ioredis';
  let mod: { default: new (o: object) => unknown };
  try {
    mod = (await import(spec)) as { default: new (o: object) => unknown };
  } catch {
    throw new Error('ioredis is not installed (an optional peer of bullmq 6.7; `npm install --no-save ioredis@5` to run this peer)');
  }
  return () => new mod.default({ ...REDIS, maxRetriesPerRequest: null }) as BullConnection;
}

async function runBullmq(): Promise<DrainResult> {
  const why = ensureRedis();
  if (why) throw new Error(why);
  const bullmqSpec = 'bullmq';
  let bull: BullMq;
  try {
    bull = (await import(bullmqSpec)) as BullMq;
  } catch {
    throw new Error('bullmq is not installed (`npm install --no-save bullmq@6.7.0` to run this peer)');
  }
  const { Queue, Worker } = bull;
  const redis = await redisClientFactory();
  const name = `roadie-bench-drain-${process.pid}`;
  const queue = new Queue(name, { connection: redis() });
  try {
    await queue.obliterate({ force: true });
    const t0 = hr();
    for (let i = 0; i < ITEMS; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, ITEMS - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })));
    }
    const enqueueSeconds = secondsSince(t0);
    let completed = 0;
    let done!: () => void;
    const allDone = new Promise<void>((r) => (done = r));
    const t1 = hr();
    const worker = new Worker(name, noop, { connection: redis(), concurrency: CONCURRENCY });
    worker.on('completed', () => {
      if (++completed === ITEMS) done();
    });
    await allDone;
    const seconds = secondsSince(t1);
    await worker.close();
    return {
      items: ITEMS,
      seconds,
      perSecond: ITEMS / seconds,
      enqueueSeconds,
      notes: [`one Worker, concurrency ${CONCURRENCY}, default job options (completed jobs kept); timed from new Worker() to the last 'completed' event`],
    };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

// ---- graphile-worker --------------------------------------------------------------------------------

async function runGraphile(localQueue: boolean): Promise<DrainResult> {
  const why = ensurePostgres();
  if (why) throw new Error(why);
  const { Logger, makeWorkerUtils, run } = await import('graphile-worker');
  const connectionString = `${PG_BASE}/${option('pg-database', 'postgres')}`;
  const schema = `roadie_bench_gw_${process.pid}`;
  const utils = await makeWorkerUtils({ connectionString, schema, logger: new Logger(() => () => {}) });
  try {
    await utils.migrate();
    const t0 = hr();
    for (let i = 0; i < ITEMS; i += 1000) {
      await utils.addJobs(Array.from({ length: Math.min(1000, ITEMS - i) }, (_, k) => ({ identifier: 'noop', payload: { i: i + k } })));
    }
    const enqueueSeconds = secondsSince(t0);
    let completed = 0;
    let done!: () => void;
    const allDone = new Promise<void>((r) => (done = r));
    const t1 = hr();
    const runner = await run({
      connectionString,
      schema,
      concurrency: CONCURRENCY,
      noHandleSignals: true,
      pollInterval: 1000,
      taskList: { noop },
      logger: new Logger(() => () => {}),
      ...(localQueue ? { preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } } : {}),
    });
    runner.events.on('job:success', () => {
      if (++completed === ITEMS) done();
    });
    await allDone;
    const seconds = secondsSince(t1);
    await runner.stop();
    return {
      items: ITEMS,
      seconds,
      perSecond: ITEMS / seconds,
      enqueueSeconds,
      notes: [
        `run() with concurrency ${CONCURRENCY}, fresh schema ${schema} (dropped afterwards)${localQueue ? ', preset worker.localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0' : ', default settings (no localQueue)'}; timed from run() to the last 'job:success' event`,
      ],
    };
  } finally {
    await utils.withPgClient((client) => client.query(`drop schema if exists ${schema} cascade`)).catch(() => undefined);
    await utils.release();
  }
}

const SYSTEMS: System[] = [
  { name: 'roadie', label: 'Roadie (SQLite lanes)', run: runRoadie },
  { name: 'bullmq', label: 'BullMQ 6.7 (Redis)', run: runBullmq },
  { name: 'graphile', label: 'graphile-worker 0.17.3 (PostgreSQL)', run: () => runGraphile(false) },
  { name: 'graphile-lq', label: 'graphile-worker 0.17.3 + localQueue (info)', run: () => runGraphile(true) },
];

// ---- child -----------------------------------------------------------------------------------------

async function child(name: string): Promise<void> {
  await answerParent(async () => {
    const sys = SYSTEMS.find((s) => s.name === name);
    if (!sys) throw new Error(`unknown system ${name}`);
    return sys.run();
  });
}

function runChild(name: string): Promise<ChildMessage> {
  const execArgv = ['--import', 'tsx'];
  if (CPU_PROF) {
    const dir = path.join(os.tmpdir(), 'roadie-bench-profiles');
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=drain-${name}.cpuprofile`);
  }
  return forkChild(fileURLToPath(import.meta.url), name, execArgv);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const systems = SYSTEMS.filter((s) => ONLY.length === 0 || ONLY.includes(s.name));
  const { runs, unavailable } = await runInterleaved(
    systems.map((s) => s.name),
    REPEAT,
    runChild,
    (x) => `${fmtInt(x.perSecond)} items/s (${x.seconds.toFixed(2)} s)`,
  );
  const roadieMedian = runs.roadie ? median(runs.roadie.map((x) => x.perSecond)) : NaN;
  const rows = systems
    .filter((s) => runs[s.name])
    .map((s) => {
      const rs = runs[s.name]!;
      const per = rs.map((x) => x.perSecond);
      const med = median(per);
      return [
        s.label,
        fmtInt(med),
        `${fmtInt(Math.min(...per))}–${fmtInt(Math.max(...per))}`,
        fmt(median(rs.map((x) => x.seconds))),
        fmt(median(rs.map((x) => x.enqueueSeconds))),
        s.name === 'roadie' ? '1.00' : fmt(roadieMedian / med),
      ];
    });
  const head = ['system', 'items/s (median)', 'min–max', 'drain s', 'enqueue s (not timed)', 'Roadie ÷ this'];
  const m = machine();
  const notes = systems.filter((s) => runs[s.name]).map((s) => `- **${s.label}**: ${runs[s.name]![0]!.notes.join('; ')}`);
  const md = [
    '# Drain benchmark',
    '',
    `Generated by \`npm run bench:jobs-drain\` (bench/jobs-drain.ts) on ${startedAt.toISOString()}.`,
    '',
    `Machine: ${machineLine(m)}.`,
    '',
    `${fmtInt(ITEMS)} no-op items (jobs for the peers) drained at concurrency ${CONCURRENCY}; median of ${REPEAT} runs per system, systems interleaved.`,
    '',
    table(head, rows),
    '',
    ...notes,
    ...Object.entries(unavailable).map(([k, v]) => `- **${k}**: unavailable — ${v.split('\n')[0]}`),
    '',
    'Method: each system runs in its own child process, one at a time. The child enqueues all the work first (not timed: Roadie createJob + addItems in chunks of 400 (SQLite caps a compound SELECT at 500 terms), BullMQ addBulk in chunks of 1,000, graphile-worker addJobs in chunks of 1,000), then times with process.hrtime from starting the consumer (Roadie JobRunner.start(), new Worker(), run()) until the last item or job is done. The handlers do nothing. Redis 127.0.0.1:6379, PostgreSQL 15 127.0.0.1:5432, both local.',
    '',
    'Figures are from this run only; jobs-drain.json has every run.',
  ].join('\n');
  console.log(`\n${machineLine(m)}, ${startedAt.toISOString()}\n`);
  console.log(table(head, rows));
  for (const [k, v] of Object.entries(unavailable)) console.log(`${k}: unavailable — ${v.split('\n')[0]}`);
  if (!NO_WRITE && !CPU_PROF) {
    writeResults('jobs-drain', { date: startedAt.toISOString(), durationS: (Date.now() - startedAt.getTime()) / 1000, machine: m, settings: { items: ITEMS, concurrency: CONCURRENCY, repeat: REPEAT }, runs, unavailable }, md);
    console.log('\nwrote bench/results/jobs-drain.{json,md}');
  }
}

if (CHILD) await child(CHILD);
else await main();
