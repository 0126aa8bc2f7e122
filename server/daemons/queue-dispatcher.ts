import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  jobsDispatched: number;
}

export interface QueueDispatcherDetails extends DetailsBase {
  readonly kind: 'queue_dispatcher';
  readonly jobsDispatched: number;
}

/**
 * Supervises the lanes: the runner dispatches on events (a job queued or finished, a command),
 * and this daemon's cycle is the slow safety sweep that catches anything an event missed.
 */
export class QueueDispatcherDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'queue_dispatcher',
    displayName: 'Queue Dispatcher',
    category: 'DOWNLOAD',
    priority: 60,
    required: false,
    dependsOn: [],
    defaultEnabled: true,
    defaultIntervalSeconds: 5,
  };

  protected initialStats(): Stats {
    return { jobsDispatched: 0 };
  }

  async cycle(): Promise<string> {
    this.stats.jobsDispatched += await this.env.jobs.sweep();
    const { running, queued } = await this.env.jobs.summary();
    if (running === 0 && queued === 0) return 'Waiting for queued jobs';
    return `Processing ${running} running jobs, ${queued} queued`;
  }

  details(base: DetailsBase): QueueDispatcherDetails {
    return { ...base, kind: 'queue_dispatcher', jobsDispatched: this.stats.jobsDispatched };
  }
}
