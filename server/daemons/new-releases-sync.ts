import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  releasesCached: number;
}

export interface NewReleasesSyncDetails extends DetailsBase {
  readonly kind: 'new_releases_sync';
  readonly releasesCached: number;
}

/** Caches new releases from Spotify and Deezer. */
export class NewReleasesSyncDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'new_releases_sync',
    displayName: 'New Releases Sync',
    category: 'SYNC',
    priority: 70,
    required: false,
    dependsOn: ['token_refresh'],
    defaultEnabled: true,
    defaultIntervalSeconds: 30 * 60,
  };

  protected initialStats(): Stats {
    return { releasesCached: 0 };
  }

  async cycle(): Promise<string> {
    const deezer = this.env.services.isConfigured('deezer');
    return deezer
      ? 'Waiting for Spotify to be connected (Deezer releases arrive with the integrations)'
      : 'Waiting for Spotify to be connected and Deezer to be configured';
  }

  details(base: DetailsBase): NewReleasesSyncDetails {
    return { ...base, kind: 'new_releases_sync', releasesCached: this.stats.releasesCached };
  }
}
