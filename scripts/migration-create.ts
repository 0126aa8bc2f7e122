/**
 * Creates a migration from the difference between the entities and the checked-in snapshot,
 * writes it to migrations/ and adds it to migrations/index.ts.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/sqlite';
import { migrationsPath, ormConfig } from '../server/db/mikro-orm.config.js';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-mig-'));
const orm = await MikroORM.init(ormConfig(path.join(tmp, 'db.sqlite')));
try {
  const migrator = orm.getMigrator();
  await migrator.up();
  const result = await migrator.createMigration(migrationsPath, false, (await migrator.getExecutedMigrations()).length === 0);
  if (!result.fileName) {
    console.log('No changes: entities and migrations agree.');
  } else {
    const base = path.basename(result.fileName, '.ts');
    const indexFile = path.join(migrationsPath, 'index.ts');
    let index = await fs.readFile(indexFile, 'utf8');
    const className = /export class (\w+)/.exec(result.code)?.[1];
    if (!className) throw new Error(`cannot find the class in ${result.fileName}`);
    // after the last import, so the imports stay in migration order
    index = index.replace(/((?:^import .*\n)+)/m, `$1import { ${className} } from './${base}.js';\n`);
    index = index.replace(/(export const migrationsList: MigrationObject\[\] = \[)([^\]]*)\]/, (_m, head: string, body: string) => {
      const items = body.trim() ? `${body.trimEnd().replace(/,$/, '')},\n  { name: '${base}', class: ${className} },\n` : `\n  { name: '${base}', class: ${className} },\n`;
      return `${head}${items}]`;
    });
    await fs.writeFile(indexFile, index);
    console.log(`Created ${result.fileName}`);
  }
} finally {
  await orm.close(true);
  await fs.rm(tmp, { recursive: true, force: true });
}
