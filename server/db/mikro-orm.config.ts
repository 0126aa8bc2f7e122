import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from '@mikro-orm/sqlite';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from '../../migrations/index.js';
import { entities } from './entities/index.js';

export const migrationsPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** The one ORM configuration: SQLite file, explicit entities, checked-in TS migrations. */
export function ormConfig(dbFile: string, extra: Partial<Options> = {}): Options {
  return defineConfig({
    dbName: dbFile,
    // A second connection to the same file for reads that should not queue behind the writer
    // (SQLite in WAL mode serves readers beside the one writer): the task-center rows. Only
    // reads that ask for it use it (preferReadReplicas: false).
    replicas: [{ name: 'read', dbName: dbFile }],
    preferReadReplicas: false,
    entities,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    debug: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    migrations: {
      path: migrationsPath,
      pathTs: migrationsPath,
      emit: 'ts',
      snapshot: true,
      snapshotName: '.snapshot-roadie',
      transactional: true,
      allOrNothing: true,
      silent: true,
      migrationsList,
    },
    ...extra,
  });
}
