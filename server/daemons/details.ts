import type { CleanupDetails } from './cleanup.js';
import type { DiscographyDetails } from './discography.js';
import type { DownloadMonitorDetails } from './download-monitor.js';
import type { DuplicateDetectorDetails } from './duplicate-detector.js';
import type { NewReleasesSyncDetails } from './new-releases-sync.js';
import type { PostProcessingDetails } from './post-processing.js';
import type { QualityUpgradeDetails } from './quality-upgrade.js';
import type { QueueDispatcherDetails } from './queue-dispatcher.js';
import type { RetrySchedulerDetails } from './retry-scheduler.js';
import type { SpotifySyncDetails } from './spotify-sync.js';
import type { TokenRefreshDetails } from './token-refresh.js';
import type { WatchlistDetails } from './watchlist.js';

/** Per-daemon details, discriminated by `kind` (the daemon's key). */
export type DaemonDetails =
  | TokenRefreshDetails
  | DownloadMonitorDetails
  | SpotifySyncDetails
  | NewReleasesSyncDetails
  | QueueDispatcherDetails
  | RetrySchedulerDetails
  | PostProcessingDetails
  | WatchlistDetails
  | DiscographyDetails
  | QualityUpgradeDetails
  | CleanupDetails
  | DuplicateDetectorDetails;
