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
 * - the connection comes from knex's pool (a pool of one for SQLite), so a statement never lands
 *   inside an ORM transaction, nor the ORM's inside one of ours. Taking it from the pool for
 *   every statement cost more than the statement (tarn allocates a pending operation, promises
 *   and a timer per acquire), so a lease keeps it across a burst of statements and gives it back
 *   as soon as the ORM waits for it, or the event loop comes round with nothing of ours to run;
 * - statements (and transactions) on one connection run one at a time, in order;
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
  /** tarn's pool (knex creates it on its first query, and again after destroy). */
  pool?: { numPendingAcquires(): number } | null;
}

/**
 * Holds the pool's connection for a run of units (statements or transactions), one unit at a
 * time in arrival order. The connection goes back to the pool after a unit when someone else
 * (the ORM) waits for it, or in the check phase of the event loop when no unit of ours is
 * running or waiting.
 */
class Lease {
  private db: RawDatabase | null = null;
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private idleCheck = false;

  constructor(private readonly client: PoolClient) {}

  run<T>(unit: (db: RawDatabase) => Promise<T>): Promise<T> {
    if (this.busy) return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.exec(unit));
    this.busy = true;
    return this.exec(unit);
  }

  /** Runs a unit while busy (written without async/await: this is on every statement's path). */
  private exec<T>(unit: (db: RawDatabase) => Promise<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = this.db
        ? unit(this.db)
        : this.client.acquireConnection().then((db) => {
            this.db = db;
            return unit(db);
          });
    } catch (err) {
      running = Promise.reject(err as Error);
    }
    return running.then(
      (value) => {
        this.handOver();
        return value;
      },
      (err: unknown) => {
        this.handOver();
        throw err;
      },
    );
  }

  private handOver(): void {
    if (this.db && (this.client.pool?.numPendingAcquires() ?? 0) > 0) this.release();
    const next = this.waiting.shift();
    if (next) {
      next(); // still busy: the next unit runs on the connection (or takes it again)
      return;
    }
    this.busy = false;
    if (this.db && !this.idleCheck) {
      this.idleCheck = true;
      setImmediate(() => {
        this.idleCheck = false;
        if (!this.busy && this.db) this.release();
      });
    }
  }

  private release(): void {
    const db = this.db!;
    this.db = null;
    void this.client.releaseConnection(db);
  }
}

/** One lease per pool client: every Statements object on a connection shares its order. */
const leases = new WeakMap<PoolClient, Lease>();

/** A connection's prepared statements (kept until it closes) and its Sql. */
interface Prepared {
  readonly ready: Map<string, RawStatement>;
  readonly preparing: Map<string, Promise<RawStatement>>;
  readonly sql: Sql;
}

/** Per connection: a connection the pool replaces takes its statements along. */
const preparedOf = new WeakMap<RawDatabase, Prepared>();

function connectionState(db: RawDatabase, client: PoolClient): Prepared {
  const known = preparedOf.get(db);
  if (known) return known;
  const ready = new Map<string, RawStatement>();
  const preparing = new Map<string, Promise<RawStatement>>();
  const statement = (sql: string): RawStatement | Promise<RawStatement> => {
    const st = ready.get(sql) ?? preparing.get(sql);
    if (st) return st;
    const p = new Promise<RawStatement>((resolve, reject) => {
      const s = db.prepare(sql, (err) => {
        preparing.delete(sql);
        if (err) {
          reject(err); // not kept: the error goes to this caller only
        } else {
          ready.set(sql, s);
          resolve(s);
        }
      });
    });
    preparing.set(sql, p);
    return p;
  };
  const all = <T>(st: RawStatement, params: readonly SqlValue[]): Promise<T[]> =>
    new Promise<T[]>((resolve, reject) => st.all(params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  const run = (st: RawStatement, params: readonly SqlValue[]): Promise<number> =>
    new Promise<number>((resolve, reject) =>
      st.run(params, function (err) {
        if (err) reject(err);
        else resolve(this.changes);
      }),
    );
  const state: Prepared = {
    ready,
    preparing,
    sql: {
      all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
        client.emit('query', { sql, bindings: params, method: 'raw' });
        const st = statement(sql);
        return st instanceof Promise ? st.then((s) => all<T>(s, params)) : all<T>(st, params);
      },
      run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
        client.emit('query', { sql, bindings: params, method: 'raw' });
        const st = statement(sql);
        return st instanceof Promise ? st.then((s) => run(s, params)) : run(st, params);
      },
    },
  };
  preparedOf.set(db, state);
  // SQLite refuses to close a connection with live statements: finalize them first (knex closes it on destroy)
  const close = db.close.bind(db);
  db.close = (cb) => {
    void Promise.allSettled([...preparing.values()])
      .then(() => Promise.all([...ready.values()].map((st) => new Promise<void>((res) => st.finalize(() => res())))))
      .then(() => {
        ready.clear();
        close(cb);
      });
  };
  return state;
}

/** Statements on the connection of `knex` (the ORM's writer, or its read replica). */
export function statementsOf(knex: Knex): Statements {
  const client = knex.client as unknown as PoolClient;
  let lease = leases.get(client);
  if (!lease) {
    lease = new Lease(client);
    leases.set(client, lease);
  }
  const held = lease;
  const withConnection = <T>(fn: (sql: Sql) => Promise<T>): Promise<T> => held.run((db) => fn(connectionState(db, client).sql));
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
