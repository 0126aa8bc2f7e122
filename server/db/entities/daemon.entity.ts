import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { DaemonState } from '../../domain/daemons/states.js';
import type { DaemonStatus } from '../../domain/daemons/status.js';

/**
 * One row per registered daemon: its desired state (enabled, paused, interval, settings),
 * what the orchestrator last reported (state, status, times, counters) and its current activity.
 */
export const DaemonSchema = defineEntity({
  name: 'Daemon',
  tableName: 'daemon',
  properties: (p) => ({
    name: p.string().length(64).primary(),
    // desired state, changed only by controls
    enabled: p.boolean(),
    paused: p.boolean(),
    intervalSeconds: p.integer(),
    /** Per-daemon settings such as cleanup's dry run; shape owned by the daemon's file. */
    settings: p.json<Record<string, unknown>>().nullable(),
    // reported state
    state: p.string().length(16).$type<DaemonState>().default('REGISTERED'),
    status: p.string().length(16).$type<DaemonStatus>().default('STOPPED'),
    startedAt: p.datetime().nullable(),
    stoppedAt: p.datetime().nullable(),
    error: p.text().nullable(),
    restartCount: p.integer().default(0),
    lastRunAt: p.datetime().nullable(),
    nextRunAt: p.datetime().nullable(),
    runCount: p.integer().default(0),
    errorCount: p.integer().default(0),
    lastError: p.text().nullable(),
    /** Per-daemon counters (typed by each daemon's details type). */
    stats: p.json<Record<string, unknown>>().nullable(),
    // current activity (daemon-status-updates seed)
    activityMessage: p.string().length(500).nullable(),
    activityJobId: p.string().length(36).nullable(),
    activityJobType: p.string().length(100).nullable(),
    activityUpdatedAt: p.datetime().nullable(),
  }),
});

export type DaemonRow = InferEntity<typeof DaemonSchema>;
