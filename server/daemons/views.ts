import type { DaemonCategory } from '../domain/daemons/catalog.js';
import type { DaemonState, WorkerAction } from '../domain/daemons/states.js';
import type { DaemonStatus } from '../domain/daemons/status.js';
import type { DaemonDetails } from './details.js';

/** A daemon's current activity (daemon-status-updates seed). */
export interface ActivityView {
  readonly message: string;
  readonly jobId: string | null;
  readonly jobType: string | null;
  readonly updatedAt: Date;
}

/** An immutable snapshot of one daemon, as published and as GraphQL renders it. */
export interface WorkerView {
  readonly name: string;
  readonly displayName: string;
  readonly category: DaemonCategory;
  readonly priority: number;
  readonly required: boolean;
  readonly dependsOn: readonly string[];
  readonly dependents: readonly string[];
  readonly enabled: boolean;
  readonly paused: boolean;
  readonly state: DaemonState;
  readonly status: DaemonStatus;
  readonly availableActions: readonly WorkerAction[];
  readonly activity: ActivityView | null;
  readonly startedAt: Date | null;
  readonly stoppedAt: Date | null;
  readonly error: string | null;
  readonly restartCount: number;
  readonly intervalSeconds: number;
  readonly lastRunAt: Date | null;
  readonly nextRunAt: Date | null;
  readonly runCount: number;
  readonly errorCount: number;
  readonly lastError: string | null;
  readonly details: DaemonDetails;
}

export interface OrchestratorView {
  readonly totalWorkers: number;
  readonly running: number;
  readonly stopped: number;
  readonly failed: number;
  readonly healthy: boolean;
  /** Required daemons that are not running. */
  readonly unhealthy: readonly string[];
  readonly workers: readonly WorkerView[];
}
