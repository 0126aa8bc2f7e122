import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import sqlite3 from 'sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createJobOk, getRows, waitFor } from '../helpers/jobs.js';
import { seededRandom } from '../helpers/random.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CRASH_APP = path.join(ROOT, 'tests/helpers/crash-app.ts');
const DOWNLOAD_ITEMS = 40;
const SYNC_ITEMS = 20;
const KILL_ROUNDS = 3;

/** The seed of the random kill points: a failing run can be replayed with CRASH_SEED. */
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const random = seededRandom(SEED);

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

/** Starts crash-app.ts on `dataDir` and resolves once it printed its URL (or fails with its stderr). */
async function startChild(dataDir: string, timeoutMs = 20_000): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CRASH_APP], {
    cwd: ROOT,
    env: {
      ...process.env,
      ROADIE_DATA_DIR: dataDir,
      PORT: '0',
      ROADIE_LOG_LEVEL: 'warn',
      CRASH_DOWNLOAD_ITEMS: String(DOWNLOAD_ITEMS),
      CRASH_SYNC_ITEMS: String(SYNC_ITEMS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`crash-app did not print its URL within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
    const lines = readline.createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    lines.on('line', (l) => {
      try {
        const msg = JSON.parse(l) as { url?: string };
        if (msg.url) {
          clearTimeout(timer);
          resolve(msg.url);
        }
      } catch {
        // not our line
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`crash-app exited (code ${code}, signal ${signal}) before listening; stderr:\n${err}`));
    });
  });
  return { proc, url, exited, stderr: () => err };
}

async function killHard(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  const r = await Promise.race([child.exited, new Promise<null>((res) => setTimeout(() => res(null), 5000))]);
  if (r === null) throw new Error('the child did not die within 5 s of SIGKILL');
  expect(r.signal).toBe('SIGKILL');
}

afterEach(async () => {
  for (const proc of children) proc.kill('SIGKILL');
  children.clear();
});

afterAll(async () => {
  // CRASH_KEEP=1 keeps the data folders (database and items.log) to look at a failure
  if (process.env.CRASH_KEEP) console.log(`crash test data kept in ${dirs.join(', ')}`);
  else for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

// ---- the item log ----------------------------------------------------------------------------

type LogEntry =
  | { kind: 'boot'; pid: number }
  | { kind: 'item'; jobId: number; key: string; what: 'start' | 'end' | 'abort'; lane: string; at: number };

async function readLog(dataDir: string): Promise<LogEntry[]> {
  const text = await fs.readFile(path.join(dataDir, 'items.log'), 'utf8').catch(() => '');
  const out: LogEntry[] = [];
  for (const l of text.split('\n')) {
    const f = l.trim().split(' ');
    if (f[0] === 'boot') out.push({ kind: 'boot', pid: Number(f[1]) });
    else if (f.length === 5) out.push({ kind: 'item', jobId: Number(f[0]), key: f[1] as string, what: f[2] as 'start', lane: f[3] as string, at: Number(f[4]) });
    // a torn last line (killed mid-write) is ignored
  }
  return out;
}

/** The entries of each process, in boot order. */
function segments(log: LogEntry[]): Extract<LogEntry, { kind: 'item' }>[][] {
  const segs: Extract<LogEntry, { kind: 'item' }>[][] = [];
  for (const e of log) {
    if (e.kind === 'boot') segs.push([]);
    else segs.at(-1)?.push(e);
  }
  return segs;
}

interface LogFindings {
  violations: string[];
  /** Items started and neither ended nor aborted when each process died, per process. */
  inFlightAtEnd: number[];
  /** (jobId/itemKey) → number of `end` lines. */
  ends: Map<string, number>;
  downloadStartsPerSegment: number[];
}

/**
 * Within one process: an item starts at most once; while an item of a download job is between
 * start and end no item of another download job starts; and download jobs follow one another
 * (A A B B, never A B A). A process's unfinished items die with it.
 */
function analyse(log: LogEntry[]): LogFindings {
  const violations: string[] = [];
  const inFlightAtEnd: number[] = [];
  const downloadStartsPerSegment: number[] = [];
  const ends = new Map<string, number>();
  segments(log).forEach((seg, s) => {
    const open = new Map<string, { jobId: number; lane: string }>();
    const started = new Set<string>();
    const downloadJobsSeen = new Set<number>();
    let lastDownloadJob: number | null = null;
    let downloadStarts = 0;
    for (const e of seg) {
      const id = `${e.jobId}/${e.key}`;
      if (e.what !== 'start') {
        open.delete(id);
        if (e.what === 'end') ends.set(id, (ends.get(id) ?? 0) + 1);
        continue;
      }
      if (started.has(id)) violations.push(`process ${s}: item ${id} started twice`);
      started.add(id);
      if (e.lane === 'download') {
        downloadStarts++;
        for (const [other, o] of open) {
          if (o.lane === 'download' && o.jobId !== e.jobId) violations.push(`process ${s}: ${id} started while ${other} (another download job) was running`);
        }
        if (lastDownloadJob !== e.jobId && downloadJobsSeen.has(e.jobId)) violations.push(`process ${s}: download job ${e.jobId} ran again after job ${lastDownloadJob}`);
        downloadJobsSeen.add(e.jobId);
        lastDownloadJob = e.jobId;
      }
      open.set(id, { jobId: e.jobId, lane: e.lane });
    }
    inFlightAtEnd.push(open.size);
    downloadStartsPerSegment.push(downloadStarts);
  });
  return { violations, inFlightAtEnd, ends, downloadStartsPerSegment };
}

// ---- the database ----------------------------------------------------------------------------

async function query<T>(file: string, sql: string): Promise<T[]> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (e) => (e ? reject(e) : resolve(d)));
  });
  try {
    return await new Promise<T[]>((resolve, reject) => db.all(sql, (e: Error | null, rows: T[]) => (e ? reject(e) : resolve(rows))));
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

// ---- the test --------------------------------------------------------------------------------

describe(`task center crash recovery (SIGKILL, seed ${SEED})`, () => {
  it(`kill -9 mid-job ${KILL_ROUNDS} times at random points: nothing lost, nothing completed twice, the download lane never ran two jobs`, async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-crash-'));
    dirs.push(dataDir);
    const kills: { delayMs: number; afterStarts: number }[] = [];

    let child = await startChild(dataDir);
    const jobs = [
      await createJobOk(child.url, 'DOWNLOAD_ONLY'),
      await createJobOk(child.url, 'DOWNLOAD_ONLY'),
      await createJobOk(child.url, 'SYNC_ONLY'),
    ];
    expect(jobs.map((j) => j.lane)).toEqual(['download', 'download', 'general']);

    for (let round = 0; round < KILL_ROUNDS; round++) {
      if (round > 0) child = await startChild(dataDir);
      // mid-job: this process has started download items; then a random moment later
      const afterStarts = 1 + Math.floor(random() * 6);
      await waitFor(
        async () => segments(await readLog(dataDir)).at(-1)?.filter((e) => e.lane === 'download' && e.what === 'start').length ?? 0,
        (n) => n >= afterStarts,
        `${afterStarts} download item starts in round ${round} (seed ${SEED})`,
        15_000,
        5,
      );
      const delayMs = Math.floor(random() * 250);
      await new Promise((r) => setTimeout(r, delayMs)); // the random kill point itself
      kills.push({ delayMs, afterStarts });
      await killHard(child);
    }

    // restart on the same data folder: start-up recovery requeues the orphans, everything completes
    child = await startChild(dataDir);
    const final = await waitFor(
      () => getRows(child.url),
      (rows) => jobs.every((j) => rows.find((r) => r.jobId === j.jobId)?.status === 'COMPLETED'),
      `all three jobs COMPLETED after recovery (seed ${SEED}, kills ${JSON.stringify(kills)})`,
      30_000,
      50,
    );
    expect(final).toHaveLength(3);
    child.proc.kill('SIGTERM');
    const stopped = await Promise.race([child.exited, new Promise<null>((res) => setTimeout(() => res(null), 10_000))]);
    expect(stopped, `graceful stop within 10 s; stderr:\n${child.stderr()}`).toEqual({ code: 0, signal: null });

    const info = `seed ${SEED}, kills ${JSON.stringify(kills)}`;

    // the log: lane discipline, every item's work done
    const log = await readLog(dataDir);
    const found = analyse(log);
    expect(found.violations, info).toEqual([]);
    expect(found.inFlightAtEnd).toHaveLength(KILL_ROUNDS + 1);
    expect(found.inFlightAtEnd.at(-1), 'the graceful stop found nothing running').toBe(0);
    const interrupted = found.inFlightAtEnd.slice(0, KILL_ROUNDS);
    expect(interrupted.filter((n) => n > 0).length, `kills that interrupted items: ${JSON.stringify(interrupted)}; ${info}`).toBeGreaterThanOrEqual(1);
    expect(found.downloadStartsPerSegment.at(-1), 'work was left for the process after the last kill (the kills were mid-job)').toBeGreaterThan(0);
    for (const j of jobs) {
      const n = j.jobType === 'SYNC_ONLY' ? SYNC_ITEMS : DOWNLOAD_ITEMS;
      const prefix = j.jobType === 'SYNC_ONLY' ? 'playlist' : 'song';
      for (let i = 0; i < n; i++) {
        const id = `${j.jobId}/${prefix}-${String(i).padStart(2, '0')}`;
        expect(found.ends.get(id) ?? 0, `${id} was done; ${info}`).toBeGreaterThanOrEqual(1);
      }
    }

    // the database: no job lost, every item succeeded exactly once, counters not doubled
    const file = path.join(dataDir, 'roadie.sqlite');
    const runs = await query<{ id: number; status: string; lane: string; owner: string | null }>(file, 'select id, status, lane, owner from job_runs order by id');
    expect(runs.map((r) => r.id)).toEqual(jobs.map((j) => j.jobId));
    expect(runs.every((r) => r.status === 'completed' && r.owner === null), JSON.stringify(runs)).toBe(true);

    const stages = await query<{
      job_id: number;
      stage_type: string;
      status: string;
      total_items: number;
      succeeded_items: number;
      failed_items: number;
      skipped_items: number;
      canceled_items: number;
      items: number;
      succeeded: number;
    }>(
      file,
      `select s.job_id, s.stage_type, s.status, s.total_items, s.succeeded_items, s.failed_items, s.skipped_items, s.canceled_items,
              (select count(*) from job_items i where i.stage_id = s.id) as items,
              (select count(*) from job_items i where i.stage_id = s.id and i.status = 'succeeded') as succeeded
       from job_stages s order by s.job_id, s.seq`,
    );
    expect(stages).toHaveLength(3);
    for (const s of stages) {
      const n = s.stage_type === 'sync' ? SYNC_ITEMS : DOWNLOAD_ITEMS;
      expect(s, info).toEqual({
        job_id: s.job_id,
        stage_type: s.stage_type,
        status: 'completed',
        total_items: n,
        succeeded_items: n,
        failed_items: 0,
        skipped_items: 0,
        canceled_items: 0,
        items: n,
        succeeded: n,
      });
    }
    const byStatus = await query<{ status: string; n: number }>(file, 'select status, count(*) as n from job_items group by status');
    expect(byStatus).toEqual([{ status: 'succeeded', n: 2 * DOWNLOAD_ITEMS + SYNC_ITEMS }]);
    const keys = await query<{ n: number; distinct_keys: number }>(file, "select count(*) as n, count(distinct job_id || '/' || item_key) as distinct_keys from job_items");
    expect(keys[0]?.distinct_keys).toBe(keys[0]?.n);

    // the recovery really ran: jobs were requeued and the interrupted items' attempts counted
    const recovered = await query<{ n: number }>(file, "select count(*) as n from job_events where kind = 'recovered'");
    expect(recovered[0]?.n, info).toBeGreaterThanOrEqual(1);
    const attempts = await query<{ n: number }>(file, 'select coalesce(sum(attempts), 0) as n from job_items');
    expect(attempts[0]?.n, info).toBeGreaterThanOrEqual(interrupted.reduce((a, b) => a + b, 0));
    const workers = await query<{ n: number }>(file, "select count(*) as n from job_workers where status <> 'idle' or current_item_id is not null");
    expect(workers[0]?.n).toBe(0);
  }, 60_000);
});
