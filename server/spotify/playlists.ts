import type { PlaylistEntry } from '../domain/playlists/types.js';
import { SpotifyError, type SpotifyApiClient, type SpotifyTrackRow } from '../integrations/spotify.js';

/** The liked songs, as a playlist of the Spotify source. */
export const LIKED_SONGS_KEY = 'spotify:liked';
export const LIKED_SONGS_NAME = 'Liked Songs';
export const LIKED_SONGS_DESCRIPTION = 'The songs liked on Spotify';
const PLAYLIST_KEY = /^spotify:playlist:([A-Za-z0-9]+)$/;

/** The location of a Spotify source: one per linked user. */
export const spotifySourceLocation = (userId: string): string => `spotify:user:${userId}`;

/** A source whose playlists come from a service instead of files (the collect and sync stages ask it). */
export interface RemotePlaylists {
  /** The playlists the source has now. */
  list(signal: AbortSignal): Promise<{ sourceKey: string; name: string; description: string | null }[]>;
  /** A playlist's songs, in order. */
  entries(sourceKey: string, signal: AbortSignal): Promise<PlaylistEntry[]>;
}

/** A track as a playlist entry: located by its Spotify URI (a search backend finds a file for it). */
export function entryOf(t: SpotifyTrackRow, position: number): PlaylistEntry {
  return {
    position,
    location: t.uri ?? `spotify:track:${t.id}`,
    title: t.name,
    artist: t.artists.map((a) => a.name).join(', ') || null,
    album: t.album?.name ?? null,
    durationSec: Math.round(t.durationMs / 1000),
    trackNumber: null,
    sizeBytes: null,
    sha256: null,
  };
}

/**
 * The linked account's playlists (own and followed) plus "Liked Songs", read through the Web
 * API with full paging. Local files and episodes have no Spotify track and are left out.
 */
export function spotifyPlaylists(api: () => SpotifyApiClient): RemotePlaylists {
  return {
    async list(signal) {
      const { items } = await api().playlists({ signal });
      return [
        { sourceKey: LIKED_SONGS_KEY, name: LIKED_SONGS_NAME, description: LIKED_SONGS_DESCRIPTION },
        ...items.map((p) => ({ sourceKey: `spotify:playlist:${p.id}`, name: p.name, description: p.description || null })),
      ];
    },
    async entries(sourceKey, signal) {
      let tracks: SpotifyTrackRow[];
      if (sourceKey === LIKED_SONGS_KEY) {
        tracks = (await api().likedTracks({ signal })).items;
      } else {
        const id = PLAYLIST_KEY.exec(sourceKey)?.[1];
        if (!id) throw new SpotifyError('api', 'not_found', `${sourceKey}: not a Spotify playlist`);
        tracks = (await api().playlistTracks(id, { signal })).items;
      }
      return tracks.filter((t) => t.id !== null && !t.isLocal).map((t, i) => entryOf(t, i));
    },
  };
}
