import type { OrchestratorView, WorkerView } from '../daemons/views.js';
import type { LaneView, TaskRowView } from '../jobs/task-center.js';
import type { ServiceHealthView } from '../services/service-monitor.js';
import type { DownloadSpeed } from '../domain/downloads/speed-view.js';
import type { SpotifyAccountView } from '../spotify/connection.js';
import type { ServiceConnectionView } from '../services/service-settings.js';

/**
 * Every event Roadie publishes, by topic (noun:verb). Payloads are immutable snapshots,
 * published after the write that caused them has committed; a payload object is never reused
 * or changed, since subscriptions share one execution per payload object.
 */
/** Why playlists or their sources changed. */
export type PlaylistsChangeReason = 'sourceAdded' | 'sourceRemoved' | 'sourceRead' | 'wanted' | 'synced' | 'downloaded';

export interface Topics {
  /** A daemon's state, status, activity, settings or counters changed (routing key: its name). */
  'daemon:changed': WorkerView;
  /** The orchestrator's counts or health changed. */
  'orchestrator:changed': OrchestratorView;
  /** A round of service probes finished. */
  'services:probed': readonly ServiceHealthView[];
  /** A task-center row was added or changed (routing key: the job id). */
  'task:row': { readonly kind: 'ADDED' | 'CHANGED' | 'REMOVED'; readonly row: TaskRowView };
  /** Lane limits or counts changed. */
  'lanes:changed': readonly LaneView[];
  /** A job's live download figures, a few times a second while it transfers; a last one with no workers when it ends (routing key: the job id). */
  'download:speed': DownloadSpeed;
  /** The global download speed limit changed (bytes a second, 0 = unlimited). */
  'downloads:limit': { readonly bytesPerSecond: number };
  /** Playlists or their sources changed (a source added or removed, wanted flags, a sync, a download): clients read them again. */
  'playlists:changed': { readonly reason: PlaylistsChangeReason; readonly at: Date };
  /** The Spotify link changed: connected, refreshed, revoked, disconnected. */
  'spotify:account': SpotifyAccountView;
  /** The slskd or MusicBrainz connection was changed in the SPA. */
  'services:settings': ServiceConnectionView;
}
