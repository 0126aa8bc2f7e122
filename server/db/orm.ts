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
  await conn.execute('pragma foreign_keys = ON');
  // the read connection (see ormConfig) waits for locks too, and can never write
  const reader = orm.em.getConnection('read');
  await reader.execute('pragma busy_timeout = 5000');
  await reader.execute('pragma query_only = ON');
  await orm.getMigrator().up();
  return orm;
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
