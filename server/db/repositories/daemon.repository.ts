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
    const n = await this.em.fork().nativeUpdate(DaemonSchema, { name, state: { $in: [...from] } }, { ...patch, state: to });
    return n === 1;
  }

  /** precondition: status ∈ from */
  async transitionStatus(name: string, from: readonly DaemonStatus[], to: DaemonStatus, patch: DaemonPatch): Promise<boolean> {
    const n = await this.em.fork().nativeUpdate(DaemonSchema, { name, status: { $in: [...from] } }, { ...patch, status: to });
    return n === 1;
  }

  /** precondition (when onlyIn is given): state ∈ onlyIn */
  async update(name: string, patch: DaemonPatch, onlyIn?: readonly DaemonState[]): Promise<boolean> {
    const where = onlyIn ? { name, state: { $in: [...onlyIn] } } : { name };
    return (await this.em.fork().nativeUpdate(DaemonSchema, where, patch)) === 1;
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.em.fork().insert(AuditLogSchema, { ...entry, at: new Date() });
  }
}
