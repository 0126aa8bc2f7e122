import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** Where a watched artist came from. */
export type WatchOrigin = 'spotify' | 'manual';

/**
 * An artist the automation daemons look after: followed on Spotify (added by the Watchlist
 * daemon from the followed artists) or watched by hand. The Watchlist daemon queues its new
 * releases; the Discography daemon lists its albums missing from the library.
 */
export const WatchedArtistSchema = defineEntity({
  name: 'WatchedArtist',
  tableName: 'watched_artists',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    name: p.string().length(500),
    /** The name compared without case and accents: one entry per artist. */
    nameKey: p.string().length(500).unique(),
    /** The MusicBrainz artist, once found. */
    mbid: p.string().length(36).nullable(),
    origin: p.string().length(16).$type<WatchOrigin>(),
    addedAt: p.datetime(),
    /** The Watchlist daemon's last look: releases since then are new. */
    checkedAt: p.datetime().nullable(),
    /** The Discography daemon's last look. */
    discographyAt: p.datetime().nullable(),
    lastError: p.string().length(500).nullable(),
  }),
});
export type WatchedArtistRow = InferEntity<typeof WatchedArtistSchema>;

/** An album of a watched artist that the library does not have (the Discography daemon's list). */
export const MissingAlbumSchema = defineEntity({
  name: 'MissingAlbum',
  tableName: 'missing_albums',
  uniques: [{ properties: ['artist', 'releaseGroupMbid'] }],
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    artist: p.manyToOne(WatchedArtistSchema).deleteRule('cascade'),
    releaseGroupMbid: p.string().length(36),
    title: p.string().length(500),
    primaryType: p.string().length(32).nullable(),
    firstReleaseDate: p.string().length(10).nullable(),
    foundAt: p.datetime(),
  }),
});
export type MissingAlbumRow = InferEntity<typeof MissingAlbumSchema>;
