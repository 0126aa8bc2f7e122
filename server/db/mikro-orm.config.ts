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
