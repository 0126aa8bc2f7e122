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

/**
 * Every 10 s: puts stalled items (no heartbeat for 30 s) back to pending, follows the open
 * Soulseek transfers in slskd (state, bytes, speed), and counts the downloads that ended.
 */
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
    const totals = await this.env.jobs.downloadTotals();
    this.stats.downloadsCompleted = totals.succeeded;
    this.stats.downloadsFailed = totals.failed;
    const { runningJobs } = await this.env.jobs.summary();
    let slskd = this.env.services.isConfigured('slskd') ? '' : '; slskd not configured';
    if (this.env.soulseek) {
      ctx.report('Asking slskd about the Soulseek transfers');
      const s = await this.env.soulseek.poll(ctx.signal);
      if (s && s.open > 0) {
        const speed = s.inProgress > 0 ? ` at ${Math.round(s.bytesPerSecond / 1000)} kB/s` : '';
        slskd = `; Soulseek: ${s.queued} queued, ${s.inProgress} transferring${speed}${s.ended ? `, ${s.ended} just ended` : ''}`;
      }
    }
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
