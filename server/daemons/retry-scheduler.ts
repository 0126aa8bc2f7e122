import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  retriesScheduled: number;
}

export interface RetrySchedulerDetails extends DetailsBase {
  readonly kind: 'retry_scheduler';
  readonly retriesScheduled: number;
  readonly maxAttempts: number;
  readonly backoffMinutes: readonly number[];
}

/** Re-queues failed items whose backoff has elapsed (1, 5, 15 min; at most 3 attempts). */
export class RetrySchedulerDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'retry_scheduler',
    displayName: 'Retry Scheduler',
    category: 'DOWNLOAD',
    priority: 55,
    required: false,
    dependsOn: [],
    defaultEnabled: true,
    defaultIntervalSeconds: 30,
  };
  static readonly BACKOFF_MINUTES = [1, 5, 15] as const;

  protected initialStats(): Stats {
    return { retriesScheduled: 0 };
  }

  async cycle(): Promise<string> {
    return 'Waiting for failed items: the task center is not set up yet';
  }

  details(base: DetailsBase): RetrySchedulerDetails {
    return {
      ...base,
      kind: 'retry_scheduler',
      retriesScheduled: this.stats.retriesScheduled,
      maxAttempts: RetrySchedulerDaemon.BACKOFF_MINUTES.length,
      backoffMinutes: RetrySchedulerDaemon.BACKOFF_MINUTES,
    };
  }
}
