import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Orm } from '../../server/db/orm.js';
import { statementsOf } from '../../server/db/statements.js';

let dir: string;
let orm: Orm;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-statements-'));
  orm = await openDatabase(path.join(dir, 'db.sqlite'));
  await orm.em.getConnection().execute('create table t (id integer primary key, v text not null)');
});

afterEach(async () => {
  await orm?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('prepared statements on the ORM connection', () => {
  it('reads, writes and reports each statement as a knex query event', async () => {
    const knex = orm.em.getConnection().getKnex();
    const sql = statementsOf(knex);
    const seen: string[] = [];
    const count = (q: { sql: string }): void => void seen.push(q.sql);
    knex.on('query', count);
    try {
      expect(await sql.run('insert into t (v) values (?), (?)', ['a', 'b'])).toBe(2);
      expect(await sql.all<{ v: string }>('select v from t where v > ? order by v', [''])).toEqual([{ v: 'a' }, { v: 'b' }]);
      // the same statement again (prepared once, bound anew)
      expect(await sql.all<{ v: string }>('select v from t where v > ? order by v', ['a'])).toEqual([{ v: 'b' }]);
    } finally {
      knex.removeListener('query', count);
    }
    expect(seen).toHaveLength(3);
  });

  it('rolls a transaction back when it throws, and names the SQL error', async () => {
    const sql = statementsOf(orm.em.getConnection().getKnex());
    await expect(
      sql.transaction(async (tx) => {
        await tx.run('insert into t (v) values (?)', ['kept?']);
        await tx.run('insert into t (v) values (?)', [null]);
      }),
    ).rejects.toThrow(/NOT NULL/);
    expect(await sql.all('select * from t')).toEqual([]);
    await expect(sql.all('select nope from t')).rejects.toThrow(/no such column/);
  });

  it('never interleaves with an ORM transaction on the same connection', async () => {
    const sql = statementsOf(orm.em.getConnection().getKnex());
    const em = orm.em.fork();
    await em.begin();
    const conn = em.getConnection();
    const ctx = em.getTransactionContext();
    if (!ctx) throw new Error('no transaction');
    await conn.execute(`insert into t (v) values ('orm')`, [], 'run', ctx);
    // waits for the ORM's transaction: it must not land inside it (and vanish with its rollback)
    const ours = sql.run(`insert into t (v) values ('ours')`);
    await new Promise((r) => setTimeout(r, 50));
    await conn.rollback(ctx);
    await ours;
    expect(await sql.all<{ v: string }>('select v from t')).toEqual([{ v: 'ours' }]);
  });

  it('lets the database close and reopen with statements prepared', async () => {
    const file = path.join(dir, 'db.sqlite');
    const knex = orm.em.getConnection().getKnex();
    const sql = statementsOf(knex);
    await sql.run(`insert into t (v) values ('x')`);
    await sql.all('select * from t');
    // node-sqlite3's Database: SQLite refuses to close it while a statement is not finalized (and knex drops that error)
    const pool = knex.client as unknown as { acquireConnection(): Promise<{ open: boolean }>; releaseConnection(c: unknown): Promise<void> };
    const raw = await pool.acquireConnection();
    await pool.releaseConnection(raw);
    expect(raw.open).toBe(true);
    await orm.close();
    expect(raw.open).toBe(false);
    orm = await openDatabase(file);
    expect(await statementsOf(orm.em.getConnection().getKnex()).all('select v from t')).toEqual([{ v: 'x' }]);
  });
});

describe('checkpoints', () => {
  it('leave commits alone and copy the log into the database file in the background', async () => {
    const file = path.join(dir, 'db.sqlite');
    const sql = statementsOf(orm.em.getConnection().getKnex());
    await new Promise((r) => setTimeout(r, 1100)); // a round with the migrations' log
    const before = (await fs.stat(file)).size;
    await sql.run(`insert into t (v) select printf('%.1000c', 'x') from json_each(?)`, [JSON.stringify(Array.from({ length: 6000 }, (_, i) => i))]);
    for (let i = 0; i < 50; i++) await sql.run(`insert into t (v) values (?)`, [String(i)]);
    // ~6 MB of rows: past the 1,000 pages at which a commit would checkpoint by itself
    expect((await fs.stat(file)).size).toBe(before);
    await new Promise((r) => setTimeout(r, 1300));
    expect((await fs.stat(file)).size).toBeGreaterThan(before + 5_000_000);
  });
});
