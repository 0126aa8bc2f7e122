import type { Knex } from '@mikro-orm/sqlite';

/**
 * Prepared statements on the ORM's own SQLite connection, for the task center's hot paths.
 *
 * Why: a statement through MikroORM's `execute` costs about 180 µs of main-thread time on this
 * machine (the ORM's logging and mapping, knex's query building and events, node-sqlite3
 * preparing and finalizing the statement every time); the same statement prepared once and run
 * through node-sqlite3 costs about 35–45 µs (measured with .scratch experiments, and in
 * bench/jobs-latency.ts). The job runner's start path is a handful of statements in a row, so that
 * difference is most of its latency.
 *
 * How it stays correct beside the ORM:
 * - every call takes the connection from knex's pool (a pool of one for SQLite) and gives it back,
 *   so a statement never lands inside an ORM transaction, nor the ORM's inside one of ours;
 * - every statement is announced as a knex 'query' event on the same knex object, so statement
 *   counts (tests, benchmarks) see these as they see the ORM's;
 * - prepared statements are kept per connection and finalized before the connection closes
 *   (SQLite refuses to close a connection with live statements).
 * Do not call the ORM inside `transaction(fn)`: the ORM would wait for the connection `fn` holds.
 */
export interface Sql {
  /** Rows of a statement (a SELECT, or a write with RETURNING). */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A write without RETURNING: the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export type SqlValue = string | number | null;

export interface Statements extends Sql {
  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE … COMMIT, rolled back when it throws). */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
}

/** The part of node-sqlite3's Statement this uses. */
interface RawStatement {
  all(params: readonly SqlValue[], cb: (err: Error | null, rows: unknown[]) => void): void;
  run(params: readonly SqlValue[], cb: (this: { changes: number }, err: Error | null) => void): void;
  finalize(cb: () => void): void;
}

/** The part of node-sqlite3's Database this uses. */
interface RawDatabase {
  prepare(sql: string, cb: (err: Error | null) => void): RawStatement;
  close(cb: (err: Error | null) => void): void;
}

interface PoolClient {
  acquireConnection(): Promise<RawDatabase>;
  releaseConnection(db: RawDatabase): Promise<void>;
  emit(event: 'query', data: { sql: string; bindings: readonly SqlValue[]; method: string }): boolean;
}

/** Prepared statements of each connection (a connection the pool replaces takes its cache along). */
const caches = new WeakMap<RawDatabase, Map<string, Promise<RawStatement>>>();

function cacheOf(db: RawDatabase): Map<string, Promise<RawStatement>> {
  const cache = caches.get(db);
  if (cache) return cache;
  const own = new Map<string, Promise<RawStatement>>();
  caches.set(db, own);
  // finalize the cached statements before the connection closes (knex closes it on destroy)
  const close = db.close.bind(db);
  db.close = (cb) => {
    const pending = [...own.values()];
    own.clear();
    void Promise.allSettled(pending)
      .then((settled) =>
        Promise.all(settled.map((s) => (s.status === 'fulfilled' ? new Promise<void>((res) => s.value.finalize(() => res())) : undefined))),
      )
      .then(() => close(cb));
  };
  return own;
}

function prepared(db: RawDatabase, sql: string): Promise<RawStatement> {
  const cache = cacheOf(db);
  let st = cache.get(sql);
  if (!st) {
    st = new Promise<RawStatement>((resolve, reject) => {
      const s = db.prepare(sql, (err) => (err ? reject(err) : resolve(s)));
    });
    // a statement that does not prepare is not kept: the error goes to this caller only
    st.catch(() => cache.delete(sql));
    cache.set(sql, st);
  }
  return st;
}

function on(db: RawDatabase, client: PoolClient): Sql {
  return {
    async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      client.emit('query', { sql, bindings: params, method: 'raw' });
      const st = await prepared(db, sql);
      return new Promise<T[]>((resolve, reject) => st.all(params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      client.emit('query', { sql, bindings: params, method: 'raw' });
      const st = await prepared(db, sql);
      return new Promise<number>((resolve, reject) =>
        st.run(params, function (err) {
          if (err) reject(err);
          else resolve(this.changes);
        }),
      );
    },
  };
}

/** Statements on the connection of `knex` (the ORM's writer, or its read replica). */
export function statementsOf(knex: Knex): Statements {
  const client = knex.client as unknown as PoolClient;
  const withConnection = async <T>(fn: (sql: Sql) => Promise<T>): Promise<T> => {
    const db = await client.acquireConnection();
    try {
      return await fn(on(db, client));
    } finally {
      await client.releaseConnection(db);
    }
  };
  return {
    all: (sql, params) => withConnection((s) => s.all(sql, params)),
    run: (sql, params) => withConnection((s) => s.run(sql, params)),
    transaction: (fn) =>
      withConnection(async (s) => {
        await s.run('begin immediate');
        try {
          const result = await fn(s);
          await s.run('commit');
          return result;
        } catch (err) {
          await s.run('rollback').catch(() => undefined);
          throw err;
        }
      }),
  };
}
