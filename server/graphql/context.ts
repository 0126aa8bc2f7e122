import type { DaemonControls } from '../daemons/controls.js';
import type { Orchestrator } from '../daemons/orchestrator.js';
import type { EventBus } from '../events/bus.js';
import type { TaskCenter } from '../jobs/task-center.js';
import type { PlaylistCenter } from '../playlists/center.js';
import type { DownloadControls } from '../downloads/controls.js';
import type { NewReleaseView } from '../db/repositories/release.repository.js';
import type { ServiceMonitor } from '../services/service-monitor.js';
import type { SpotifyConnection } from '../spotify/connection.js';
import type { AutomationCenter } from '../automation/center.js';
import type { ServiceSettings } from '../services/service-settings.js';

/** What resolvers may use: app services, never the database. */
export interface AppServices {
  readonly orchestrator: Orchestrator;
  readonly controls: DaemonControls;
  readonly services: ServiceMonitor;
  readonly taskCenter: TaskCenter;
  readonly playlists: PlaylistCenter;
  readonly downloads: DownloadControls;
  /** The new-releases cache the New Releases Sync daemon keeps, newest first. */
  readonly releases: { list(first: number): Promise<NewReleaseView[]> };
  readonly spotify: SpotifyConnection;
  readonly automation: AutomationCenter;
  /** The slskd and MusicBrainz connections (set in the SPA, else from the environment). */
  readonly connections: ServiceSettings;
  readonly bus: EventBus;
}

export interface GraphQLContext extends AppServices {
  /** The client's address, for the audit log. */
  readonly clientAddress: string | null;
}
