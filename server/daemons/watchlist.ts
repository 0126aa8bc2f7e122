import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  artistsChecked: number;
  releasesQueued: number;
}

export interface WatchlistDetails extends DetailsBase {
  readonly kind: 'watchlist';
  readonly artistsChecked: number;
  readonly releasesQueued: number;
}

/** Checks watched artists for new releases and queues them. */
export class WatchlistDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'watchlist',
    displayName: 'Watchlist',
    category: 'AUTOMATION',
    priority: 40,
    required: false,
    dependsOn: [],
    defaultEnabled: false,
    defaultIntervalSeconds: 3600,
  };

  protected initialStats(): Stats {
    return { artistsChecked: 0, releasesQueued: 0 };
  }

  async cycle(): Promise<string> {
    return 'Waiting for Spotify to be connected: no watched artists yet';
  }

  details(base: DetailsBase): WatchlistDetails {
    return { ...base, kind: 'watchlist', artistsChecked: this.stats.artistsChecked, releasesQueued: this.stats.releasesQueued };
  }
}
