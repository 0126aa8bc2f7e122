import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { DEFAULT_RETRY_POLICY } from '../domain/jobs/retry.js';
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

  protected initialStats(): Stats {
    return { retriesScheduled: 0 };
  }

  async cycle(): Promise<string> {
    const { jobs, items } = await this.env.jobs.retryDue();
    this.stats.retriesScheduled += items;
    return items > 0 ? `Processing retries: ${items} items of ${jobs} jobs queued again` : 'Waiting for failed items whose backoff has elapsed';
  }

  details(base: DetailsBase): RetrySchedulerDetails {
    return {
      ...base,
      kind: 'retry_scheduler',
      retriesScheduled: this.stats.retriesScheduled,
      maxAttempts: DEFAULT_RETRY_POLICY.maxAttempts,
      backoffMinutes: DEFAULT_RETRY_POLICY.delaysMs.map((ms) => ms / 60_000),
    };
  }
}
