import fs from 'node:fs/promises';
import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { isExpired, retentionMs } from '../domain/retention.js';
import { walkFiles } from '../integrations/file-walk.js';
import { Daemon, InvalidSettingError, type CycleContext, type DetailsBase } from './base.js';

interface Stats {
  /** Totals actually deleted since the counters began. */
  filesDeleted: number;
  bytesFreed: number;
  /** What the last run found expired (what a dry run would free). */
  filesFound: number;
  bytesFound: number;
  /** Finished jobs removed since the counters began. */
  jobsRemoved: number;
  /** Finished jobs past their retention the last run found (removed, or would be in a dry run). */
  jobsFound: number;
}

interface Settings {
  dryRun: boolean;
}

export interface CleanupDetails extends DetailsBase {
  readonly kind: 'cleanup';
  readonly dryRun: boolean;
  readonly retentionDays: number;
  readonly filesDeleted: number;
  readonly bytesFreed: number;
  readonly filesFound: number;
  readonly bytesFound: number;
  readonly jobRetentionDays: number;
  readonly jobsRemoved: number;
  readonly jobsFound: number;
}

/**
 * Removes orphaned temp files older than the retention, and finished jobs older than the job
 * retention (with everything under them); dry run (report only) by default.
 */
export class CleanupDaemon extends Daemon<Stats, Settings> {
  readonly definition: DaemonDefinition = {
    key: 'cleanup',
    displayName: 'Cleanup',
    category: 'MAINTENANCE',
    priority: 10,
    required: false,
    dependsOn: [],
    defaultEnabled: false,
    defaultIntervalSeconds: 24 * 3600,
  };

  protected initialStats(): Stats {
    return { filesDeleted: 0, bytesFreed: 0, filesFound: 0, bytesFound: 0, jobsRemoved: 0, jobsFound: 0 };
  }

  protected override defaultSettings(): Settings {
    return { dryRun: true };
  }

  override validateSettings(patch: Record<string, unknown>): Partial<Settings> {
    for (const key of Object.keys(patch)) {
      if (key !== 'dryRun') throw new InvalidSettingError(key, `cleanup has no setting "${key}"`);
    }
    if (typeof patch.dryRun !== 'boolean') throw new InvalidSettingError('dryRun', 'dryRun must be true or false');
    return { dryRun: patch.dryRun };
  }

  async cycle(ctx: CycleContext): Promise<string | void> {
    const { tempDir, cleanupRetentionDays: days, jobRetentionDays: jobDays } = this.env.config;
    const dryRun = this.settings.dryRun;
    ctx.report(`Checking for temp files older than ${days} days`);
    const now = Date.now();
    let files = 0;
    let bytes = 0;
    for await (const f of walkFiles(tempDir, ctx.signal)) {
      if (!isExpired(f.mtimeMs, now, days)) continue;
      if (!dryRun) {
        try {
          await fs.unlink(f.path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw err;
        }
        this.stats.filesDeleted += 1;
        this.stats.bytesFreed += f.size;
      }
      files += 1;
      bytes += f.size;
    }
    this.stats.filesFound = files;
    this.stats.bytesFound = bytes;
    if (ctx.signal.aborted) return;
    ctx.report(`Checking for finished jobs older than ${jobDays} days`);
    const jobs = dryRun ? await this.env.jobs.countFinished(retentionMs(jobDays)) : await this.env.jobs.pruneFinished(retentionMs(jobDays));
    if (!dryRun) this.stats.jobsRemoved += jobs;
    this.stats.jobsFound = jobs;
    return dryRun
      ? `Dry run: ${files} temp files (${bytes} bytes) older than ${days} days and ${jobs} finished jobs older than ${jobDays} days would be removed`
      : `Removed ${files} temp files (${bytes} bytes) older than ${days} days and ${jobs} finished jobs older than ${jobDays} days`;
  }

  details(base: DetailsBase): CleanupDetails {
    return {
      ...base,
      kind: 'cleanup',
      dryRun: this.settings.dryRun,
      retentionDays: this.env.config.cleanupRetentionDays,
      jobRetentionDays: this.env.config.jobRetentionDays,
      ...this.stats,
    };
  }
}
