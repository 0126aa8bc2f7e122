import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { STALE_HEARTBEAT_MS } from '../domain/jobs/recovery.js';
import { Daemon, type ActivityReport, type CycleContext, type DetailsBase } from './base.js';

interface Stats {
  lastPollAt: string | null;
  downloadsCompleted: number;
  downloadsFailed: number;
  itemsReclaimed: number;
}

export interface DownloadMonitorDetails extends DetailsBase {
  readonly kind: 'download_monitor';
  readonly pollIntervalSeconds: number;
  readonly lastPollAt: Date | null;
  readonly downloadsCompleted: number;
  readonly downloadsFailed: number;
  readonly itemsReclaimed: number;
}

/** Watches running items and puts stalled ones (no heartbeat for 30 s) back to pending. */
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
    return { lastPollAt: null, downloadsCompleted: 0, downloadsFailed: 0, itemsReclaimed: 0 };
  }

  async cycle(ctx: CycleContext): Promise<string | ActivityReport> {
    ctx.report('Checking running downloads for stalled items');
    this.stats.lastPollAt = new Date().toISOString();
    const reclaimed = await this.env.jobs.reclaimStale(STALE_HEARTBEAT_MS);
    this.stats.itemsReclaimed += reclaimed;
    const { runningJobs } = await this.env.jobs.summary();
    const slskd = this.env.services.isConfigured('slskd') ? '' : '; slskd not configured';
    if (reclaimed > 0) return `Reclaimed ${reclaimed} stalled items (no heartbeat for ${STALE_HEARTBEAT_MS / 1000} s)${slskd}`;
    const download = runningJobs.find((j) => j.lane === 'download');
    if (download) {
      // the activity links to the job it watches
      return { message: `Watching download job #${download.id}${slskd}`, jobId: String(download.id), jobType: download.jobType };
    }
    return runningJobs.length > 0 ? `Watching ${runningJobs.length} running jobs${slskd}` : `Waiting for downloads${slskd}`;
  }

  details(base: DetailsBase): DownloadMonitorDetails {
    return {
      ...base,
      kind: 'download_monitor',
      pollIntervalSeconds: base.intervalSeconds,
      lastPollAt: this.stats.lastPollAt ? new Date(this.stats.lastPollAt) : null,
      downloadsCompleted: this.stats.downloadsCompleted,
      downloadsFailed: this.stats.downloadsFailed,
      itemsReclaimed: this.stats.itemsReclaimed,
    };
  }
}
