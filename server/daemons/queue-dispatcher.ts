import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  jobsDispatched: number;
}

export interface QueueDispatcherDetails extends DetailsBase {
  readonly kind: 'queue_dispatcher';
  readonly jobsDispatched: number;
}

/** The lane supervisor: starts queued jobs into free lane slots (task center). */
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
    return 'Waiting for queued jobs: the task center is not set up yet';
  }

  details(base: DetailsBase): QueueDispatcherDetails {
    return { ...base, kind: 'queue_dispatcher', jobsDispatched: this.stats.jobsDispatched };
  }
}
