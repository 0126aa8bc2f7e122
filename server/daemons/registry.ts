import type { Daemon, DaemonEnv } from './base.js';
import { CleanupDaemon } from './cleanup.js';
import { DiscographyDaemon } from './discography.js';
import { DownloadMonitorDaemon } from './download-monitor.js';
import { DuplicateDetectorDaemon } from './duplicate-detector.js';
import { NewReleasesSyncDaemon } from './new-releases-sync.js';
import { PostProcessingDaemon } from './post-processing.js';
import { QualityUpgradeDaemon } from './quality-upgrade.js';
import { QueueDispatcherDaemon } from './queue-dispatcher.js';
import { RetrySchedulerDaemon } from './retry-scheduler.js';
import { SpotifySyncDaemon } from './spotify-sync.js';
import { TokenRefreshDaemon } from './token-refresh.js';
import { WatchlistDaemon } from './watchlist.js';

/** Every daemon Roadie runs: a new daemon is one file plus one line here. */
export function createDaemons(env: DaemonEnv): Daemon[] {
  return [
    new TokenRefreshDaemon(env),
    new DownloadMonitorDaemon(env),
    new SpotifySyncDaemon(env),
    new NewReleasesSyncDaemon(env),
    new QueueDispatcherDaemon(env),
    new RetrySchedulerDaemon(env),
    new PostProcessingDaemon(env),
    new WatchlistDaemon(env),
    new DiscographyDaemon(env),
    new QualityUpgradeDaemon(env),
    new CleanupDaemon(env),
    new DuplicateDetectorDaemon(env),
  ];
}
