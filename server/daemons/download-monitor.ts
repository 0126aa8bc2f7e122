import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type CycleContext, type DetailsBase } from './base.js';

interface Stats {
  lastPollAt: string | null;
  downloadsCompleted: number;
  downloadsFailed: number;
}

export interface DownloadMonitorDetails extends DetailsBase {
  readonly kind: 'download_monitor';
  readonly pollIntervalSeconds: number;
  readonly lastPollAt: Date | null;
  readonly downloadsCompleted: number;
  readonly downloadsFailed: number;
}

/** Watches running downloads and reclaims stalled ones. Downloads arrive with the task center. */
export class DownloadMonitorDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'download_monitor',
    displayName: 'Download Monitor',
    category: 'CRITICAL',
    priority: 90,
    required: true,
    dependsOn: [],
    defaultEnabled: true,
    defaultIntervalSeconds: 10,
  };

  protected initialStats(): Stats {
    return { lastPollAt: null, downloadsCompleted: 0, downloadsFailed: 0 };
  }

  async cycle(ctx: CycleContext): Promise<string> {
    ctx.report('Checking for running downloads');
    this.stats.lastPollAt = new Date().toISOString();
    const slskd = this.env.services.isConfigured('slskd');
    return slskd
      ? 'Waiting for downloads: the task center has no download jobs yet'
      : 'Waiting for downloads: the task center has no download jobs yet, slskd not configured';
  }

  details(base: DetailsBase): DownloadMonitorDetails {
    return {
      ...base,
      kind: 'download_monitor',
      pollIntervalSeconds: base.intervalSeconds,
      lastPollAt: this.stats.lastPollAt ? new Date(this.stats.lastPollAt) : null,
      downloadsCompleted: this.stats.downloadsCompleted,
      downloadsFailed: this.stats.downloadsFailed,
    };
  }
}
