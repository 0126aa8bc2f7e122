import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * The linked Spotify account (one per Roadie; its id is always 1). Both tokens are stored
 * sealed with ROADIE_SECRET_KEY (server/domain/spotify/secret-box.ts), never in plain text.
 */
export const SpotifyAccountSchema = defineEntity({
  name: 'SpotifyAccount',
  tableName: 'spotify_accounts',
  properties: (p) => ({
    id: p.integer().primary(),
    spotifyUserId: p.string().length(128),
    displayName: p.string().length(256).nullable(),
    /** Granted scopes, space separated. */
    scope: p.text(),
    /** Sealed. */
    accessToken: p.text(),
    /** Sealed. */
    refreshToken: p.text(),
    expiresAt: p.datetime(),
    connectedAt: p.datetime(),
    refreshedAt: p.datetime().nullable(),
    /** Set when Spotify refused the refresh token (the user removed Roadie's access): connect again. */
    revokedAt: p.datetime().nullable(),
    lastError: p.string().length(500).nullable(),
  }),
});
export type SpotifyAccountRow = InferEntity<typeof SpotifyAccountSchema>;

/** An artist the linked Spotify account follows (the Spotify Sync daemon keeps the current list). */
export const FollowedArtistSchema = defineEntity({
  name: 'FollowedArtist',
  tableName: 'followed_artists',
  properties: (p) => ({
    spotifyId: p.string().length(64).primary(),
    name: p.string().length(500),
    /** Space-free genre names joined by ", ". */
    genres: p.string().length(1000).nullable(),
    followers: p.integer().nullable(),
    syncedAt: p.datetime(),
  }),
});
export type FollowedArtistRow = InferEntity<typeof FollowedArtistSchema>;

/** An album saved in the linked Spotify account's library. */
export const SavedAlbumSchema = defineEntity({
  name: 'SavedAlbum',
  tableName: 'saved_albums',
  properties: (p) => ({
    spotifyId: p.string().length(64).primary(),
    name: p.string().length(500),
    artist: p.string().length(500).nullable(),
    /** As Spotify gives it (YYYY-MM-DD, or coarser). */
    releaseDate: p.string().length(10).nullable(),
    totalTracks: p.integer().nullable(),
    upc: p.string().length(32).nullable(),
    addedAt: p.datetime().nullable(),
    syncedAt: p.datetime(),
  }),
});
export type SavedAlbumRow = InferEntity<typeof SavedAlbumSchema>;
