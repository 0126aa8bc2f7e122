/** Roadie's twelve daemons in start order, and the ones enabled by default (SPEC §1). */
export const DAEMON_NAMES = [
  'token_refresh',
  'download_monitor',
  'spotify_sync',
  'new_releases_sync',
  'queue_dispatcher',
  'retry_scheduler',
  'post_processing',
  'watchlist',
  'discography',
  'quality_upgrade',
  'duplicate_detector',
  'cleanup',
] as const;

export const DEFAULT_ON: readonly string[] = DAEMON_NAMES.slice(0, 7);
