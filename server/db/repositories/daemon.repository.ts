import type { EntityManager } from '@mikro-orm/sqlite';
import type { DaemonState } from '../../domain/daemons/states.js';
import type { DaemonStatus } from '../../domain/daemons/status.js';
import type { AuditEntry, DaemonPatch, DaemonRecord, DaemonStore, NewDaemonRecord } from '../../daemons/store.js';
import { AuditLogSchema } from '../entities/audit-log.entity.js';
import { DaemonSchema, type DaemonRow } from '../entities/daemon.entity.js';

function toRecord(row: DaemonRow): DaemonRecord {
  return {
    name: row.name,
    enabled: row.enabled,
    paused: row.paused,
    intervalSeconds: row.intervalSeconds,
    settings: row.settings ?? null,
    state: row.state,
    status: row.status,
    startedAt: row.startedAt ?? null,
    stoppedAt: row.stoppedAt ?? null,
    error: row.error ?? null,
    restartCount: row.restartCount,
    lastRunAt: row.lastRunAt ?? null,
    nextRunAt: row.nextRunAt ?? null,
    runCount: row.runCount,
    errorCount: row.errorCount,
    lastError: row.lastError ?? null,
    stats: row.stats ?? null,
    activityMessage: row.activityMessage ?? null,
    activityJobId: row.activityJobId ?? null,
    activityJobType: row.activityJobType ?? null,
    activityUpdatedAt: row.activityUpdatedAt ?? null,
  };
}

/** A patch value as the SQLite column holds it (as MikroORM writes it: dates in ms, JSON as text). */
function toDb(value: unknown): unknown {
  if (value === null) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** MikroORM implementation of the orchestrator's store; each method is one statement. */
export class DaemonRepository implements DaemonStore {
  constructor(private readonly em: EntityManager) {}

  async register(rows: readonly NewDaemonRecord[]): Promise<DaemonRecord[]> {
    const em = this.em.fork();
    if (rows.length > 0) {
      await em
        .createQueryBuilder(DaemonSchema)
        .insert(rows.map((r) => ({ ...r, paused: false })))
        .onConflict('name')
        .ignore()
        .execute();
    }
    const found = await em.find(DaemonSchema, { name: { $in: rows.map((r) => r.name) } });
    return found.map(toRecord);
  }

  /** precondition: state ∈ from */
  async transition(name: string, from: readonly DaemonState[], to: DaemonState, patch: DaemonPatch): Promise<boolean> {
    return this.write(name, { ...patch, state: to }, 'state', from);
  }

  /** precondition: status ∈ from */
  async transitionStatus(name: string, from: readonly DaemonStatus[], to: DaemonStatus, patch: DaemonPatch): Promise<boolean> {
    return this.write(name, { ...patch, status: to }, 'status', from);
  }

  /** precondition (when onlyIn is given): state ∈ onlyIn */
  async update(name: string, patch: DaemonPatch, onlyIn?: readonly DaemonState[]): Promise<boolean> {
    return this.write(name, patch, 'state', onlyIn);
  }

  /**
   * One UPDATE of the given fields, guarded by the current state or status. Written as SQL on
   * the connection (columns from the entity's metadata): these writes are on the path of every
   * status event, and the query builder cost more than the statement (bench/fanout.ts).
   */
  private async write(name: string, patch: DaemonPatch, guard: 'state' | 'status', guardIn?: readonly string[]): Promise<boolean> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [key, value] of Object.entries(patch) as [keyof DaemonPatch, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${this.column(key)} = ?`);
      params.push(toDb(value));
    }
    if (sets.length === 0) return true;
    let where = 'name = ?';
    params.push(name);
    if (guardIn) {
      if (guardIn.length === 0) return false;
      where += ` and ${guard} in (${guardIn.map(() => '?').join(', ')})`;
      params.push(...guardIn);
    }
    const res = (await this.em.getConnection().execute(`update ${this.table} set ${sets.join(', ')} where ${where}`, params, 'run')) as {
      affectedRows?: number;
      changes?: number;
    };
    return (res.affectedRows ?? res.changes ?? 0) === 1;
  }

  private get meta() {
    return this.em.getMetadata().get(DaemonSchema.meta.className);
  }

  private get table(): string {
    return this.meta.tableName;
  }

  private column(key: string): string {
    const prop = (this.meta.properties as Record<string, { fieldNames?: string[] } | undefined>)[key];
    const field = prop?.fieldNames?.[0];
    if (!field) throw new Error(`daemon has no column for ${key}`);
    return field;
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.em.fork().insert(AuditLogSchema, { ...entry, at: new Date() });
  }
}
