import type { WorkerDetails } from './graphql/types.js';
import type { MessageKey } from './i18n.js';

/** One labelled figure from a daemon's typed details; `kind` says how to format the value. */
export type Fact =
  | { label: MessageKey; kind: 'count'; value: number }
  | { label: MessageKey; kind: 'bytes'; value: number }
  | { label: MessageKey; kind: 'time'; value: string | null }
  | { label: MessageKey; kind: 'flag'; value: boolean }
  | { label: MessageKey; kind: 'seconds'; value: number[] }
  | { label: MessageKey; kind: 'text'; value: string };

const count = (label: MessageKey, value: number): Fact => ({ label, kind: 'count', value });
const bytes = (label: MessageKey, value: number): Fact => ({ label, kind: 'bytes', value });
const time = (label: MessageKey, value: string | null): Fact => ({ label, kind: 'time', value });
const flag = (label: MessageKey, value: boolean): Fact => ({ label, kind: 'flag', value });
const seconds = (label: MessageKey, ...value: number[]): Fact => ({ label, kind: 'seconds', value });
const text = (label: MessageKey, value: string): Fact => ({ label, kind: 'text', value });

/**
 * The per-daemon figures worth showing, in reading order. Cleanup's dry run is left out:
 * it is a control, not a figure.
 */
export function detailFacts(details: WorkerDetails): Fact[] {
  switch (details.__typename) {
    case 'TokenRefreshDetails':
      return [
        seconds('detail.checkInterval', details.checkIntervalSeconds),
        seconds('detail.refreshThreshold', details.refreshThresholdMinutes * 60),
        count('detail.tokensRefreshed', details.tokensRefreshed),
        flag('detail.connected', details.connected),
      ];
    case 'SpotifySyncDetails':
      return [
        seconds('detail.checkInterval', details.checkIntervalSeconds),
        flag('detail.connected', details.connected),
        flag('detail.hasErrors', details.hasErrors),
        time('detail.syncArtists', details.lastSyncs.artists),
        time('detail.syncPlaylists', details.lastSyncs.playlists),
        time('detail.syncLikedSongs', details.lastSyncs.likedSongs),
        time('detail.syncSavedAlbums', details.lastSyncs.savedAlbums),
        ...(details.rateLimitedUntil ? [time('detail.rateLimitedUntil', details.rateLimitedUntil)] : []),
        ...details.lastErrors.map((e) => text(`detail.syncError.${e.kind}`, e.message)),
      ];
    case 'DownloadMonitorDetails':
      return [
        seconds('detail.pollInterval', details.pollIntervalSeconds),
        time('detail.lastPoll', details.lastPollAt),
        count('detail.downloadsCompleted', details.downloadsCompleted),
        count('detail.downloadsFailed', details.downloadsFailed),
      ];
    case 'NewReleasesSyncDetails':
      return [count('detail.releasesCached', details.releasesCached)];
    case 'QueueDispatcherDetails':
      return [count('detail.jobsDispatched', details.jobsDispatched)];
    case 'RetrySchedulerDetails':
      return [
        count('detail.retriesScheduled', details.retriesScheduled),
        count('detail.maxAttempts', details.maxAttempts),
        seconds('detail.backoff', ...details.backoffMinutes.map((minutes) => minutes * 60)),
      ];
    case 'PostProcessingDetails':
      return [
        count('detail.filesProcessed', details.filesProcessed),
        count('detail.filesFailed', details.filesFailed),
      ];
    case 'WatchlistDetails':
      return [
        count('detail.artistsChecked', details.artistsChecked),
        count('detail.releasesQueued', details.releasesQueued),
      ];
    case 'DiscographyDetails':
      return [
        count('detail.artistsChecked', details.artistsChecked),
        count('detail.albumsMissing', details.albumsMissing),
      ];
    case 'QualityUpgradeDetails':
      return [
        count('detail.tracksChecked', details.tracksChecked),
        count('detail.upgradesFound', details.upgradesFound),
        count('detail.minBitrate', details.minBitrateKbps),
      ];
    case 'CleanupDetails':
      return [
        seconds('detail.retention', details.retentionDays * 86_400),
        count('detail.filesFound', details.filesFound),
        bytes('detail.bytesFound', details.bytesFound),
        count('detail.filesDeleted', details.filesDeleted),
        bytes('detail.bytesFreed', details.bytesFreed),
        seconds('detail.jobRetention', details.jobRetentionDays * 86_400),
        count('detail.jobsFound', details.jobsFound),
        count('detail.jobsRemoved', details.jobsRemoved),
      ];
    case 'DuplicateDetectorDetails':
      return [
        { label: 'detail.detectionMethod', kind: 'text', value: details.detectionMethod },
        count('detail.tracksScanned', details.tracksScanned),
        count('detail.duplicatesFound', details.duplicatesFound),
        count('detail.duplicateGroups', details.duplicateGroups),
      ];
  }
}
