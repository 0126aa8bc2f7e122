import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  artists: string | null;
  playlists: string | null;
  likedSongs: string | null;
  savedAlbums: string | null;
  errors: number;
}

export interface SpotifySyncDetails extends DetailsBase {
  readonly kind: 'spotify_sync';
  readonly checkIntervalSeconds: number;
  readonly lastSyncs: {
    readonly artists: Date | null;
    readonly playlists: Date | null;
    readonly likedSongs: Date | null;
    readonly savedAlbums: Date | null;
  };
  readonly hasErrors: boolean;
  readonly connected: boolean;
}

const toDate = (iso: string | null): Date | null => (iso ? new Date(iso) : null);

/** Syncs artists (5 min), playlists (10 min), liked songs and saved albums from Spotify. */
export class SpotifySyncDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'spotify_sync',
    displayName: 'Spotify Sync',
    category: 'SYNC',
    priority: 80,
    required: false,
    dependsOn: ['token_refresh'],
    defaultEnabled: true,
    defaultIntervalSeconds: 60,
  };

  protected initialStats(): Stats {
    return { artists: null, playlists: null, likedSongs: null, savedAlbums: null, errors: 0 };
  }

  async cycle(): Promise<string> {
    return 'Waiting for Spotify to be connected';
  }

  details(base: DetailsBase): SpotifySyncDetails {
    return {
      ...base,
      kind: 'spotify_sync',
      checkIntervalSeconds: base.intervalSeconds,
      lastSyncs: {
        artists: toDate(this.stats.artists),
        playlists: toDate(this.stats.playlists),
        likedSongs: toDate(this.stats.likedSongs),
        savedAlbums: toDate(this.stats.savedAlbums),
      },
      hasErrors: this.stats.errors > 0 || base.lastError !== null,
      connected: false,
    };
  }
}
