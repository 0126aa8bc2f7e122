import type { PlaylistRepository } from '../db/repositories/playlist.repository.js';
import type { SpotifyLibraryRepository } from '../db/repositories/spotify-library.repository.js';
import type { SyncKind } from '../domain/spotify/sync-plan.js';
import type { SpotifyApiClient } from '../integrations/spotify.js';
import type { TaskCenter } from '../jobs/task-center.js';
import type { SpotifyConnection } from './connection.js';
import { LIKED_SONGS_DESCRIPTION, LIKED_SONGS_KEY, LIKED_SONGS_NAME, spotifySourceLocation } from './playlists.js';

/** What one kind's sync did, as the daemon's activity. */
export interface SyncReport {
  readonly message: string;
  readonly jobId?: string;
  readonly jobType?: string;
}

/** What the Spotify Sync daemon uses. */
export interface SpotifySyncPort {
  /** Whether an account is linked and not revoked. */
  connected(): Promise<boolean>;
  /** Syncs one kind; Spotify's errors come through as SpotifyError (rate_limited with its Retry-After). */
  sync(kind: SyncKind, signal: AbortSignal): Promise<SyncReport>;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The Spotify Sync daemon's work: followed artists and saved albums are read whole and kept in
 * their tables; the playlists are a playlist source of the linked account ('spotify' kind), read
 * by a COLLECT_ONLY job (the task center shows it), and Liked Songs is one of its playlists,
 * synced by a SYNC_ONLY job on its own schedule. Wanted Spotify playlists download like any
 * other (the daemon's wanted step).
 */
export function spotifySync(d: {
  connection: SpotifyConnection;
  /** An API client for the daemon: no retries inside a cycle (the daemon backs off itself). */
  api: () => SpotifyApiClient;
  library: SpotifyLibraryRepository;
  playlists: PlaylistRepository;
  tasks: TaskCenter;
}): SpotifySyncPort {
  /** The linked account's playlist source, created on first use. */
  const source = async (): Promise<number> => {
    const view = await d.connection.view();
    if (!view.userId) throw new Error('Spotify is not connected');
    return d.playlists.ensureSource('spotify', spotifySourceLocation(view.userId));
  };
  const queue = async (input: { jobType: 'collect_only' | 'sync_only'; sourceIds?: number[]; playlistIds?: number[] }, requestedBy: string, what: string): Promise<SyncReport> => {
    if (await d.tasks.hasLiveJob(input.jobType, requestedBy)) return { message: `Not queued again: ${what} is queued or running already` };
    const r = await d.tasks.createJob({ ...input, requestedBy });
    if (!r.ok) throw new Error(r.error.message);
    return { message: `Queued ${what}`, jobId: String(r.job.jobId), jobType: input.jobType };
  };
  return {
    connected: async () => (await d.connection.view()).state === 'CONNECTED',
    async sync(kind, signal) {
      switch (kind) {
        case 'artists': {
          const { items, truncated } = await d.api().followedArtists({ signal });
          const n = await d.library.replaceArtists(
            items.map((a) => ({ spotifyId: a.id, name: a.name, genres: a.genres.length ? a.genres.join(', ') : null, followers: a.followers })),
          );
          return { message: `Synced ${plural(n, 'followed artist')} from Spotify${truncated ? ' (list cut at the safety cap)' : ''}` };
        }
        case 'savedAlbums': {
          const { items, truncated } = await d.api().savedAlbums({ signal });
          const n = await d.library.replaceAlbums(
            items
              .filter((a) => a.id !== null)
              .map((a) => ({
                spotifyId: a.id as string,
                name: a.name,
                artist: a.artists.map((x) => x.name).join(', ') || null,
                releaseDate: a.releaseDate,
                totalTracks: a.totalTracks,
                upc: a.upc,
                addedAt: a.addedAt ? Date.parse(a.addedAt) : null,
              })),
          );
          return { message: `Synced ${plural(n, 'saved album')} from Spotify${truncated ? ' (list cut at the safety cap)' : ''}` };
        }
        case 'playlists':
          return queue({ jobType: 'collect_only', sourceIds: [await source()] }, 'spotify_sync:playlists', 'a read of the Spotify playlists');
        case 'likedSongs': {
          // listed by every read of the source too; created here so it need not wait for one
          const liked = await d.playlists.ensurePlaylist(await source(), LIKED_SONGS_KEY, LIKED_SONGS_NAME, LIKED_SONGS_DESCRIPTION);
          return queue({ jobType: 'sync_only', playlistIds: [liked.id] }, 'spotify_sync:liked', 'a sync of Liked Songs');
        }
      }
    },
  };
}
