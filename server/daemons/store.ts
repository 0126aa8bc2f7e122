import type { DaemonState } from '../domain/daemons/states.js';
import type { DaemonStatus } from '../domain/daemons/status.js';

/** What the orchestrator keeps about a daemon: the persisted row, as plain data. */
export interface DaemonRecord {
  name: string;
  enabled: boolean;
  paused: boolean;
  intervalSeconds: number;
  settings: Record<string, unknown> | null;
  state: DaemonState;
  status: DaemonStatus;
  startedAt: Date | null;
  stoppedAt: Date | null;
  error: string | null;
  restartCount: number;
  lastRunAt: Date | null;
  nextRunAt: Date | null;
  runCount: number;
  errorCount: number;
  lastError: string | null;
  stats: Record<string, unknown> | null;
  activityMessage: string | null;
  activityJobId: string | null;
  activityJobType: string | null;
  activityUpdatedAt: Date | null;
}

/** Fields a write may set besides the guarded column. */
export type DaemonPatch = Partial<Omit<DaemonRecord, 'name'>>;

export interface NewDaemonRecord {
  name: string;
  enabled: boolean;
  intervalSeconds: number;
}

export interface AuditEntry {
  action: string;
  daemon: string;
  args: Record<string, unknown> | null;
  clientAddress: string | null;
  outcome: 'changed' | 'unchanged' | 'refused';
  detail: string | null;
}

/**
 * Persistence the orchestrator is handed (it knows no SQL). Every guarded write is one
 * conditional UPDATE; it returns false when the row was not in an expected state.
 */
export interface DaemonStore {
  /** Inserts rows for daemons seen for the first time; existing rows keep their desired state. */
  register(rows: readonly NewDaemonRecord[]): Promise<DaemonRecord[]>;
  /** precondition: state ∈ from. */
  transition(name: string, from: readonly DaemonState[], to: DaemonState, patch: DaemonPatch): Promise<boolean>;
  /** precondition: status ∈ from. */
  transitionStatus(name: string, from: readonly DaemonStatus[], to: DaemonStatus, patch: DaemonPatch): Promise<boolean>;
  /**
   * Write of fields that have one writer (desired state, activity, counters); with `onlyIn`,
   * precondition: state ∈ onlyIn. Returns whether the row was written.
   */
  update(name: string, patch: DaemonPatch, onlyIn?: readonly DaemonState[]): Promise<boolean>;
  audit(entry: AuditEntry): Promise<void>;
}
