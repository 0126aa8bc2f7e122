import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type ActivityReport, type CycleContext, type DetailsBase } from './base.js';

/** How often wanted playlists are synced again (the playlists' schedule). */
const WANTED_EVERY_MS = 10 * 60_000;

interface Stats {
  /** When the wanted playlists were last queued for a sync (the local part, without Spotify). */
  wanted: string | null;
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
    return { wanted: null, artists: null, playlists: null, likedSongs: null, savedAlbums: null, errors: 0 };
  }

  /** Wanted playlists are synced (then downloaded) on the playlists' schedule, Spotify or not. */
  async cycle(ctx: CycleContext): Promise<string | ActivityReport> {
    const last = this.stats.wanted ? Date.parse(this.stats.wanted) : null;
    if (!this.env.library || (last !== null && Date.now() - last < WANTED_EVERY_MS)) return 'Waiting for Spotify to be connected';
    ctx.report('Queuing a sync of the wanted playlists');
    const r = await this.env.library.syncWanted(this.definition.key);
    // nothing queued: the next cycle looks again (one cheap query)
    if ('skipped' in r) return r.skipped === 'none wanted' ? 'No wanted playlists; waiting for Spotify to be connected' : 'The wanted playlists are being synced already';
    this.stats.wanted = new Date().toISOString();
    return { message: `Queued a sync then download of ${r.playlists} wanted playlist${r.playlists === 1 ? '' : 's'}`, jobId: String(r.jobId), jobType: 'sync_download' };
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
