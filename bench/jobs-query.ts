/**
 * Task-center query latency with 100,000 jobs and 1,000,000 items in the SQLite database.
 *
 *   npm run bench:jobs-query     (node --import tsx bench/jobs-query.ts)
 *   options: --jobs=100000 --items-per-job=10 --runs=300 --warmup=50 --first=50
 *            --rebuild    (regenerate the cached database)
 *            --no-write   (print only)
 *
 * The data set is generated once with raw multi-row INSERTs and cached under
 * $TMPDIR/roadie-bench-jobs-query-<version>-<jobs>x<items>.sqlite; reruns reuse a copy of it, migrated
 * to the current schema and re-analyzed (openMigrated).
 *
 * Three readers, interleaved run by run, against the same database and connection:
 *  - Roadie: TaskCenter.page(first, after) — what the GraphQL taskCenter query calls (jobs page,
 *    stages and workers of those jobs; the first statement also reads the dispatch context: queued
 *    jobs, jobs holding lane slots, lane limits) and builds the rows;
 *  - Roadie repository only: JobRepository.taskCenterPage (the three statements of the page);
 *  - the seed's N+1 approach: one query for the jobs page, then per job one query for its stages
 *    and one for its workers (1 + 2 × 50 = 101 statements for 50 rows), through the same ORM.
 */
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { stagesOf } from '../server/domain/jobs/catalog.js';
import { JOB_TYPES, type JobType } from '../server/domain/jobs/types.js';
import { JobRunSchema, JobStageSchema, JobWorkerSchema, type JobRunRow, type JobStageRow, type JobWorkerRow } from '../server/db/entities/job.entity.js';
import { MikroORM } from '@mikro-orm/sqlite';
import { ormConfig } from '../server/db/mikro-orm.config.js';
import { openDatabase, type Orm } from '../server/db/orm.js';
import { JobRepository } from '../server/db/repositories/job.repository.js';
import type { EventBus } from '../server/events/bus.js';
import { TaskCenter } from '../server/jobs/task-center.js';
import type { JobRunner } from '../server/runner/runner.js';
import { flag, fmt, fmtInt, machine, machineLine, option, summarize, table, writeResults, type Summary } from './lib/jobs-common.js';

/** Bump when the generated data set changes shape (invalidates the cached file). */
const DATASET_VERSION = 'v1';
const JOBS = Number(option('jobs', '100000'));
const ITEMS_PER_JOB = Number(option('items-per-job', '10'));
const RUNS = Number(option('runs', '300'));
const WARMUP = Number(option('warmup', '50'));
const FIRST = Number(option('first', '50'));
const REBUILD = flag('rebuild');
const NO_WRITE = flag('no-write');
const GOAL_P99_MS = 10;

const startedAt = new Date();
const log = pino({ level: 'silent' });

// ---- data set -----------------------------------------------------------------------------------

/** Deterministic pseudo-random numbers (LCG), so every build is the same data set. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Js = 'queued' | 'running' | 'paused' | 'completed' | 'completed_with_errors' | 'failed' | 'canceled';

/** Newest jobs are queued / running / paused; older ones mostly completed. */
function statusOf(id: number, r: number): Js {
  const fromTop = JOBS - id; // 0 = newest
  if (fromTop < 150) return 'queued';
  if (fromTop < 154) return 'running'; // 1 download + 3 general picked below by type
  if (fromTop < 160) return 'paused';
  if (r < 0.93) return 'completed';
  if (r < 0.96) return 'completed_with_errors';
  if (r < 0.98) return 'failed';
  return 'canceled';
}

const sqlStr = (s: string | null): string => (s === null ? 'null' : `'${s.replace(/'/g, "''")}'`);

async function buildDataset(file: string): Promise<{ seconds: number; counts: Record<string, number> }> {
  const t0 = process.hrtime.bigint();
  const tmp = `${file}.building`;
  rmSync(tmp, { force: true });
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  const orm = await openDatabase(tmp);
  const conn = orm.em.getConnection();
  await conn.execute(`insert into lanes (name, concurrency) values ('download', 1), ('general', 3) on conflict do nothing`);
  const rand = rng(42);
  const base = Date.UTC(2026, 0, 1);
  const minute = 60_000;
  let stageId = 0;
  let itemId = 0;
  let jobsSql: string[] = [];
  let stagesSql: string[] = [];
  let itemsSql: string[] = [];
  let workersSql: string[] = [];
  let runningDownload = 0;
  const counts: Record<string, number> = {};
  const flush = async (force: boolean): Promise<void> => {
    if (!force && itemsSql.length < 20_000) return;
    await conn.execute('begin');
    if (jobsSql.length)
      await conn.execute(
        `insert into job_runs (id, job_type, status, lane, priority, requested_by, config_snapshot, scope, params, result, error, created_at, started_at, finished_at, updated_at, not_before, owner, owner_heartbeat_at) values ${jobsSql.join(',')}`,
      );
    for (let i = 0; i < stagesSql.length; i += 2000)
      await conn.execute(
        `insert into job_stages (id, job_id, stage_type, seq, status, total_items, succeeded_items, failed_items, skipped_items, canceled_items, started_at, finished_at) values ${stagesSql.slice(i, i + 2000).join(',')}`,
      );
    for (let i = 0; i < itemsSql.length; i += 2000)
      await conn.execute(
        `insert into job_items (id, job_id, stage_id, item_key, status, label, attempts, last_error, last_error_code, worker_name, heartbeat_at, done_bytes, total_bytes, started_at, finished_at) values ${itemsSql.slice(i, i + 2000).join(',')}`,
      );
    if (workersSql.length)
      await conn.execute(
        `insert into job_workers (job_id, stage_id, worker_name, status, current_item_id, current_display_text, heartbeat_at, processed_count, error_count, downloaded_bytes, total_bytes, speed_bytes_per_sec, progress_percent, updated_at) values ${workersSql.join(',')}`,
      );
    await conn.execute('commit');
    jobsSql = [];
    stagesSql = [];
    itemsSql = [];
    workersSql = [];
  };

  for (let id = 1; id <= JOBS; id++) {
    let jobType: JobType = JOB_TYPES[Math.floor(rand() * JOB_TYPES.length)]!;
    const status = statusOf(id, rand());
    const stages = (): readonly string[] => stagesOf(jobType);
    if (status === 'running') {
      // one download-lane job and three general-lane jobs hold the lane slots
      if (runningDownload === 0) {
        jobType = 'download_only';
        runningDownload = 1;
      } else {
        jobType = id % 2 === 0 ? 'collect_only' : 'sync_only'; // general lane
      }
    }
    const lane = stages().includes('download') ? 'download' : 'general';
    counts[status] = (counts[status] ?? 0) + 1;
    const created = base + id * minute;
    const started = status === 'queued' ? null : created + 5_000;
    const final = ['completed', 'completed_with_errors', 'failed', 'canceled'].includes(status);
    const finished = final ? created + 45_000 : null;
    const scope = rand() < 0.3 ? `{"playlistIds":[${1 + (id % 40)},${2 + (id % 40)}]}` : '{}';
    jobsSql.push(
      `(${id}, '${jobType}', '${status}', '${lane}', ${rand() < 0.05 ? 50 : 100}, ${sqlStr(rand() < 0.5 ? 'scheduler' : 'web')}, '{}', '${scope}', null, null, ${status === 'failed' ? sqlStr('stage sync failed: remote closed the connection') : 'null'}, ${created}, ${started ?? 'null'}, ${finished ?? 'null'}, ${finished ?? started ?? created}, null, ${status === 'running' ? "'runner-bench'" : 'null'}, ${status === 'running' ? created + 30_000 : 'null'})`,
    );
    const types = stages();
    const stageIds = types.map(() => ++stageId);
    const perStage = types.map(() => ({ total: 0, succeeded: 0, failed: 0, skipped: 0, canceled: 0, running: 0 }));
    for (let i = 0; i < ITEMS_PER_JOB; i++) {
      const s = i % types.length;
      const c = perStage[s]!;
      let st: string;
      if (status === 'completed') st = rand() < 0.02 ? 'skipped' : 'succeeded';
      else if (status === 'completed_with_errors') st = i < 2 ? 'failed' : 'succeeded';
      else if (status === 'failed') st = i < 3 ? 'succeeded' : i === 3 ? 'failed' : 'canceled';
      else if (status === 'canceled') st = i < 4 ? 'succeeded' : 'canceled';
      else if (status === 'running') st = i < 5 ? 'succeeded' : i < 7 ? 'running' : 'pending';
      else if (status === 'paused') st = i < 3 ? 'succeeded' : 'pending';
      else st = 'pending';
      c.total++;
      if (st === 'succeeded') c.succeeded++;
      else if (st === 'failed') c.failed++;
      else if (st === 'skipped') c.skipped++;
      else if (st === 'canceled') c.canceled++;
      else if (st === 'running') c.running++;
      const done = st === 'succeeded' || st === 'failed' || st === 'skipped' || st === 'canceled';
      const bytes = 3_000_000 + Math.floor(rand() * 9_000_000);
      const iStart = st === 'pending' || (st === 'canceled' && status !== 'failed') ? null : created + 5_000 + i * 4_000;
      itemsSql.push(
        `(${++itemId}, ${id}, ${stageIds[s]}, '${types[s]}:${i}', '${st}', 'Song ${i} / Artist ${id % 997}', ${st === 'failed' ? 3 : st === 'pending' ? 0 : 1}, ${st === 'failed' ? "'HTTP 404'" : 'null'}, ${st === 'failed' ? "'file_not_found'" : 'null'}, ${st === 'running' ? `'${lane}-${i - 4}'` : 'null'}, ${st === 'running' ? created + 30_000 : 'null'}, ${st === 'succeeded' ? bytes : st === 'running' ? Math.floor(bytes / 2) : 0}, ${st === 'pending' ? 'null' : bytes}, ${iStart ?? 'null'}, ${done && iStart !== null ? iStart + 3_500 : done ? (finished ?? 'null') : 'null'})`,
      );
    }
    types.forEach((t, s) => {
      const c = perStage[s]!;
      let ss: string;
      if (status === 'queued') ss = 'pending';
      else if (status === 'completed') ss = 'completed';
      else if (status === 'completed_with_errors') ss = c.failed > 0 ? 'completed_with_errors' : 'completed';
      else if (status === 'failed') ss = c.failed > 0 ? 'failed' : c.canceled === c.total ? 'skipped' : 'completed';
      else if (status === 'canceled') ss = 'canceled';
      else if (status === 'paused') ss = 'paused';
      else ss = c.running > 0 || c.total > c.succeeded ? 'running' : 'completed';
      const sStart = ss === 'pending' || ss === 'skipped' ? null : created + 5_000;
      const sEnd = ['completed', 'completed_with_errors', 'failed', 'canceled'].includes(ss) ? (finished ?? created + 40_000) : null;
      stagesSql.push(
        `(${stageIds[s]}, ${id}, '${t}', ${s}, '${ss}', ${c.total}, ${c.succeeded}, ${c.failed}, ${c.skipped}, ${c.canceled}, ${sStart ?? 'null'}, ${sEnd ?? 'null'})`,
      );
    });
    // worker slots: the running jobs have busy workers, the 2,000 newest others keep their idle slots
    const slots = lane === 'download' ? 2 : 3;
    if (status === 'running' || JOBS - id < 2000) {
      for (let w = 1; w <= slots; w++) {
        const busy = status === 'running' && w <= 2;
        const stage = stageIds[stageIds.length - 1]!;
        workersSql.push(
          `(${id}, ${stage}, '${lane}-${w}', '${busy ? 'busy' : 'idle'}', null, ${busy ? `'Song ${4 + w} / Artist'` : 'null'}, ${started !== null ? started + 25_000 : 'null'}, ${busy ? 5 : status === 'queued' ? 0 : 4}, ${status === 'completed_with_errors' && w === 1 ? 2 : 0}, ${busy ? 4_000_000 : 0}, ${busy ? 8_000_000 : 'null'}, ${busy ? 2_500_000 : 'null'}, ${busy ? 50 : 'null'}, ${started ?? created})`,
        );
      }
    }
    await flush(false);
  }
  await flush(true);
  await conn.execute('analyze');
  await conn.execute('pragma wal_checkpoint(truncate)');
  await orm.close();
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  renameSync(tmp, file);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, counts };
}

// ---- readers ------------------------------------------------------------------------------------

/** The seed's way: the jobs page, then per job its stages and its workers (N+1). */
async function seedPage(orm: Orm, first: number, afterId: number | null): Promise<{ job: JobRunRow; stages: JobStageRow[]; workers: JobWorkerRow[] }[]> {
  const em = orm.em.fork();
  const jobs = await em.find(JobRunSchema, afterId === null ? {} : { id: { $lt: afterId } }, { orderBy: { id: 'desc' }, limit: first + 1 });
  const rows: { job: JobRunRow; stages: JobStageRow[]; workers: JobWorkerRow[] }[] = [];
  for (const job of jobs.slice(0, first)) {
    const stages = await em.find(JobStageSchema, { job: job.id }, { orderBy: { seq: 'asc' } });
    const workers = await em.find(JobWorkerSchema, { job: job.id }, { orderBy: { workerName: 'asc' } });
    rows.push({ job, stages, workers });
  }
  return rows;
}

/**
 * Opens the copy with the current migrations applied, then refreshes the planner statistics.
 * The cached file carries the sqlite_stat1 table of its build's ANALYZE, whose untyped columns
 * MikroORM's schema introspection cannot map: a migration newer than the cached file would fail
 * when the migrator snapshots the schema afterwards. So the statistics are dropped before
 * migrating and gathered again after (new indexes get theirs too).
 */
async function openMigrated(file: string): Promise<Orm> {
  const bare = await MikroORM.init(ormConfig(file));
  await bare.em.getConnection().execute('drop table if exists sqlite_stat1');
  await bare.close();
  const orm = await openDatabase(file);
  await orm.em.getConnection().execute('analyze');
  return orm;
}

interface Reader {
  name: string;
  label: string;
  run: (after: number | null) => Promise<number>; // returns rows
}

async function main(): Promise<void> {
  const cacheFile = path.join(os.tmpdir(), `roadie-bench-jobs-query-${DATASET_VERSION}-${JOBS}x${ITEMS_PER_JOB}.sqlite`);
  let build: { seconds: number; counts: Record<string, number> } | null = null;
  if (REBUILD || !existsSync(cacheFile)) {
    process.stderr.write(`jobs-query: building ${fmtInt(JOBS)} jobs × ${ITEMS_PER_JOB} items into ${cacheFile} …\n`);
    build = await buildDataset(cacheFile);
    process.stderr.write(`jobs-query: built in ${build.seconds.toFixed(1)} s\n`);
  } else {
    process.stderr.write(`jobs-query: reusing ${cacheFile}\n`);
  }
  // work on a copy so the cached file never changes (openDatabase runs migrations, WAL, …)
  const workFile = path.join(os.tmpdir(), `roadie-bench-jobs-query-run-${process.pid}.sqlite`);
  copyFileSync(cacheFile, workFile);
  const orm = await openMigrated(workFile);
  try {
    const conn = orm.em.getConnection();
    const [{ jobs, items, stages, workers }] = (await conn.execute(
      `select (select count(*) from job_runs) as jobs, (select count(*) from job_items) as items,
              (select count(*) from job_stages) as stages, (select count(*) from job_workers) as workers`,
    )) as { jobs: number; items: number; stages: number; workers: number }[] as [{ jobs: number; items: number; stages: number; workers: number }];
    const byStatus = (await conn.execute(`select status, count(*) as n from job_runs group by status order by n desc`)) as { status: string; n: number }[];
    const repo = new JobRepository(orm.em);
    const tasks = new TaskCenter(repo, {} as JobRunner, {} as EventBus, log, { rowMinIntervalMs: 250 });
    const readers: Reader[] = [
      { name: 'roadie', label: 'Roadie TaskCenter.page', run: async (after) => (await tasks.page(FIRST, after)).rows.length },
      { name: 'roadie-repo', label: 'Roadie JobRepository.taskCenterPage (3 statements)', run: async (after) => (await repo.taskCenterPage(FIRST, after)).jobs.length },
      { name: 'seed-n+1', label: `seed N+1 (jobs page + stages and workers per job)`, run: async (after) => (await seedPage(orm, FIRST, after)).length },
    ];
    const maxId = jobs;
    const positions: { name: string; label: string; after: number | null }[] = [
      { name: 'first', label: 'first page', after: null },
      { name: 'middle', label: `after id ${fmtInt(Math.floor(maxId / 2))}`, after: Math.floor(maxId / 2) },
      { name: 'deep', label: `after id ${fmtInt(1000)}`, after: 1000 },
    ];

    // statements per page
    // both connections: the writer's and the reader's (the task-center page reads on the latter)
    const knexes = [orm.em.getConnection('write').getKnex(), orm.em.getConnection('read').getKnex()];
    let statements = 0;
    const count = (): void => {
      statements++;
    };
    for (const knex of knexes) knex.on('query', count);
    const statementCount: Record<string, number> = {};
    const rowCount: Record<string, number> = {};
    for (const r of readers) {
      statements = 0;
      rowCount[r.name] = await r.run(null);
      statementCount[r.name] = statements;
    }
    for (const knex of knexes) knex.removeListener('query', count);

    // warm-up, then measured runs interleaved (reader order rotated every run)
    const samples: Record<string, number[]> = {};
    for (const r of readers) for (const p of positions) samples[`${r.name}/${p.name}`] = [];
    const tRuns = process.hrtime.bigint();
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (let k = 0; k < readers.length; k++) {
        const r = readers[(i + k) % readers.length]!;
        for (const p of positions) {
          const t0 = process.hrtime.bigint();
          await r.run(p.after);
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          if (i >= WARMUP) samples[`${r.name}/${p.name}`]!.push(ms);
        }
      }
    }
    const runSeconds = Number(process.hrtime.bigint() - tRuns) / 1e9;

    const results: Record<string, Summary & { reader: string; position: string; statements: number }> = {};
    const rows: (string | number)[][] = [];
    for (const r of readers) {
      for (const p of positions) {
        const s = summarize(samples[`${r.name}/${p.name}`]!);
        results[`${r.name}/${p.name}`] = { reader: r.label, position: p.label, statements: statementCount[r.name]!, ...s };
        rows.push([r.label, p.label, statementCount[r.name]!, fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max), r.name === 'roadie' ? (s.p99 <= GOAL_P99_MS ? 'yes' : 'NO') : '']);
      }
    }
    const head = ['reader', 'page', 'statements', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', `p99 ≤ ${GOAL_P99_MS} ms`];
    const m = machine();
    const md = [
      '# Task-center query benchmark',
      '',
      `Generated by \`npm run bench:jobs-query\` (bench/jobs-query.ts) on ${startedAt.toISOString()}.`,
      '',
      `Machine: ${machineLine(m)}.`,
      '',
      `Database: ${fmtInt(jobs)} jobs, ${fmtInt(stages)} stages, ${fmtInt(items)} items, ${fmtInt(workers)} worker rows (SQLite, WAL, synchronous=NORMAL). Jobs by status: ${byStatus.map((b) => `${b.status} ${fmtInt(b.n)}`).join(', ')}.`,
      '',
      `${FIRST} rows per page; ${RUNS} measured runs per reader and page after ${WARMUP} warm-up runs, readers interleaved (order rotated each run), ${runSeconds.toFixed(1)} s in all.`,
      '',
      table(head, rows, 2),
      '',
      `Method: one Node process, one MikroORM 6.6.16 SQLite connection (sqlite3 driver), the database file generated with raw multi-row INSERTs (most jobs completed; the newest are queued, running and paused; ${ITEMS_PER_JOB} items per job spread over the job type's stages, stage rows with their counters, worker slot rows for the running jobs and the 2,000 newest others), copied fresh for the run. Timing is process.hrtime around one call; "statements" counts knex 'query' events for one first page. Roadie TaskCenter.page is what the GraphQL taskCenter query resolves to (without GraphQL parsing/serialisation): the page's three statements (the first also reads the dispatch context: queued jobs, jobs holding lane slots, lane limits), each returning its rows as one JSON text (raw SQL, no entity hydration), then the rows built from them. The seed N+1 reader issues the jobs page and then, per job, one query for its stages and one for its workers through the same ORM (1 + 2 × ${FIRST} statements); it builds no rows and no dispatch context, so it is favoured.`,
      '',
      'Figures are from this run only; see jobs-query.json for min/mean and the data set.',
    ].join('\n');
    console.log(`\n${machineLine(m)}, ${startedAt.toISOString()}`);
    console.log(`${fmtInt(jobs)} jobs, ${fmtInt(items)} items; rows returned for the first page: ${JSON.stringify(rowCount)}\n`);
    console.log(table(head, rows, 2));
    if (!NO_WRITE) {
      writeResults(
        'jobs-query',
        {
          date: startedAt.toISOString(),
          durationS: (Date.now() - startedAt.getTime()) / 1000,
          machine: m,
          settings: { jobs: JOBS, itemsPerJob: ITEMS_PER_JOB, runs: RUNS, warmup: WARMUP, first: FIRST, datasetVersion: DATASET_VERSION },
          dataset: { jobs, stages, items, workers, byStatus, buildSeconds: build?.seconds ?? null },
          statements: statementCount,
          results,
        },
        md,
      );
      console.log('\nwrote bench/results/jobs-query.{json,md}');
    }
  } finally {
    await orm.close();
    for (const f of [workFile, `${workFile}-wal`, `${workFile}-shm`]) rmSync(f, { force: true });
  }
}

await main();
