/** The categories of the seeds' orchestrator. */
export const DAEMON_CATEGORIES = ['CRITICAL', 'SYNC', 'DOWNLOAD', 'AUTOMATION', 'MAINTENANCE'] as const;
export type DaemonCategory = (typeof DAEMON_CATEGORIES)[number];

/** What the orchestrator needs to know about a daemon before it runs (declared in its file). */
export interface DaemonDefinition {
  readonly key: string;
  readonly displayName: string;
  readonly category: DaemonCategory;
  /** Higher starts first (100 highest); stop runs in reverse. */
  readonly priority: number;
  /** Required daemons must run for the orchestrator to be healthy. */
  readonly required: boolean;
  readonly dependsOn: readonly string[];
  readonly defaultEnabled: boolean;
  readonly defaultIntervalSeconds: number;
}

export const MIN_INTERVAL_SECONDS = 1;
export const MAX_INTERVAL_SECONDS = 30 * 24 * 3600;

export function isValidInterval(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= MIN_INTERVAL_SECONDS && seconds <= MAX_INTERVAL_SECONDS;
}
