import fs from 'node:fs/promises';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/sqlite';
import { ormConfig } from './mikro-orm.config.js';

export type Orm = MikroORM;

/** Opens the SQLite file (creating its folder), tunes it for a single writer and migrates it. */
export async function openDatabase(dbFile: string): Promise<Orm> {
  await fs.mkdir(path.dirname(dbFile), { recursive: true });
  const orm = await MikroORM.init(ormConfig(dbFile));
  const conn = orm.em.getConnection();
  await conn.execute('pragma journal_mode = WAL');
  await conn.execute('pragma synchronous = NORMAL');
  await conn.execute('pragma busy_timeout = 5000');
  // checkpoints run on the read connection, off the writers' path (see checkpointInBackground)
  await conn.execute('pragma wal_autocheckpoint = 0');
  await conn.execute('pragma foreign_keys = ON');
  // the read connection (see ormConfig) waits for locks too, and can never write
  const reader = orm.em.getConnection('read');
  await reader.execute('pragma busy_timeout = 5000');
  await reader.execute('pragma query_only = ON');
  await orm.getMigrator().up();
  checkpointInBackground(orm);
  return orm;
}

/** How often the write-ahead log is copied back into the database file. */
const CHECKPOINT_EVERY_MS = 1000;

/**
 * SQLite's automatic checkpoint runs inside the commit that crosses 1,000 pages of log: that
 * commit (a job start, an item's end) then waits for the copy and its fsync, several ms on this
 * machine, in the p99 of bench/jobs-latency.ts. Instead a timer checkpoints from the read
 * connection (PASSIVE: it never blocks a writer or a reader) every CHECKPOINT_EVERY_MS, and the
 * writer's automatic checkpoint is off. The last checkpoint happens when the database closes.
 */
function checkpointInBackground(orm: Orm): void {
  const reader = orm.em.getConnection('read');
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reader
      .execute('pragma wal_checkpoint(PASSIVE)')
      .catch(() => undefined) // closing, or busy: the next round tries again
      .finally(() => (running = false));
  }, CHECKPOINT_EVERY_MS);
  timer.unref();
  const close = orm.close.bind(orm);
  orm.close = (force?: boolean) => {
    clearInterval(timer);
    return close(force);
  };
}

/** True when a trivial statement succeeds (used by /readyz). */
export async function databaseReachable(orm: Orm): Promise<boolean> {
  try {
    await orm.em.getConnection().execute('select 1');
    return true;
  } catch {
    return false;
  }
}
