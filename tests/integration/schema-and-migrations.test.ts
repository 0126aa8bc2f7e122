import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineEntity } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/sqlite';
import { entities } from '../../server/db/entities/index.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ormConfig } from '../../server/db/mikro-orm.config.js';
import { printSortedSchema } from '../../server/graphql/schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('schema.graphql', () => {
  it('equals the printed Pothos schema (run `npm run schema:print` when this fails)', async () => {
    const file = await fs.readFile(path.join(root, 'schema.graphql'), 'utf8');
    expect(file).toBe(`${printSortedSchema()}\n`);
  });

  it('keeps the root fields the public API contract names (SPEC §7)', () => {
    const printed = printSortedSchema();
    for (const field of ['workers: [Worker!]!', 'worker(name: String!): Worker', 'orchestrator: Orchestrator!', 'services: [ServiceHealth!]!']) {
      expect(printed).toContain(field);
    }
    for (const m of ['startWorker(name: String!)', 'pauseWorker(name: String!)', 'resumeWorker(name: String!)', 'runWorkerNow(name: String!)']) {
      expect(printed).toContain(m);
    }
    expect(printed).toMatch(/stopWorker\([^)]*name: String!/);
    expect(printed).toContain('daemonStatus(');
    expect(printed).toContain('orchestratorHealth: Orchestrator!');
  });
});

describe('migrations', () => {
  it('agree with the entities: after up(), nothing is pending and the schema diff is empty', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-migrations-'));
    onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
    const orm = await MikroORM.init(ormConfig(path.join(dir, 'check.sqlite')));
    onTestFinished(() => orm.close());

    const migrator = orm.getMigrator();
    const applied = await migrator.up();
    expect(applied.length).toBeGreaterThan(0);
    expect(await migrator.getPendingMigrations()).toEqual([]);
    expect(await migrator.checkMigrationNeeded()).toBe(false);
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL();
    expect(diff.trim()).toBe('');

    const tables = await orm.em.getConnection().execute<{ name: string }[]>(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['audit_log', 'daemon']));
  });

  it('the same check notices an entity the migrations do not create (so it can fail)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-migrations-'));
    onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
    const Extra = defineEntity({ name: 'Extra', tableName: 'extra_check', properties: (p) => ({ id: p.integer().primary() }) });
    const orm = await MikroORM.init(ormConfig(path.join(dir, 'check.sqlite'), { entities: [...entities, Extra] }));
    onTestFinished(() => orm.close());
    await orm.getMigrator().up();
    expect(await orm.getMigrator().checkMigrationNeeded()).toBe(true);
    expect(await orm.getSchemaGenerator().getUpdateSchemaSQL()).toContain('extra_check');
  });
});
