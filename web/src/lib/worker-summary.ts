import type { Worker } from './graphql/types.js';
import { formatDuration, formatNumber, formatRelativeTime } from './format.js';
import { translate, type Locale } from './i18n.js';

/**
 * One line about a daemon for the status popover: what it is doing if it says so, its error
 * if it has one, otherwise the figures that matter most for it.
 */
export function workerSummary(worker: Worker, locale: Locale, now: number): string {
  if (worker.activity) return worker.activity.message;
  if (worker.status === 'ERROR' || worker.state === 'FAILED') {
    const error = worker.error ?? worker.lastError;
    if (error) return error;
  }
  const details = worker.details;
  const relative = (iso: string | null): string => formatRelativeTime(iso, now, locale);
  switch (details.__typename) {
    case 'DownloadMonitorDetails':
      return translate(locale, 'summary.downloads', {
        duration: formatDuration(details.pollIntervalSeconds, locale),
        done: formatNumber(details.downloadsCompleted, locale),
        failed: formatNumber(details.downloadsFailed, locale),
      });
    case 'SpotifySyncDetails':
      return translate(locale, 'summary.spotify', {
        artists: relative(details.lastSyncs.artists),
        playlists: relative(details.lastSyncs.playlists),
        liked: relative(details.lastSyncs.likedSongs),
        albums: relative(details.lastSyncs.savedAlbums),
      });
    default: {
      const every = translate(locale, 'common.every', {
        duration: formatDuration(worker.intervalSeconds, locale),
      });
      const last = worker.lastRunAt
        ? translate(locale, 'summary.lastRun', { time: relative(worker.lastRunAt) })
        : translate(locale, 'summary.neverRun');
      return `${every} · ${last}`;
    }
  }
}
