import type { Orm } from '../../server/db/orm.js';

/** The background WAL checkpoint (server/db/orm.ts): maintenance on its own timer, not the work a test measures. */
const CHECKPOINT = /^pragma wal_checkpoint/i;

/**
 * Counts the SQL statements on both connections (the writer's and the reader's: pages read on
 * the latter) as knex 'query' events, leaving out the background checkpoint. `stop()` detaches.
 */
export function statementCounter(orm: Orm, onStatement: () => void = () => {}): { readonly count: number; reset(): void; stop(): void } {
  const knexes = [orm.em.getConnection('write').getKnex(), orm.em.getConnection('read').getKnex()];
  let n = 0;
  const listener = (q: { sql?: string }): void => {
    if (CHECKPOINT.test(q.sql ?? '')) return;
    n++;
    onStatement();
  };
  for (const knex of knexes) knex.on('query', listener);
  return {
    get count() {
      return n;
    },
    reset() {
      n = 0;
    },
    stop() {
      for (const knex of knexes) knex.off('query', listener);
    },
  };
}
