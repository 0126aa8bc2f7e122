import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { PlaylistFormat } from '../../domain/playlists/types.js';

/** Where a source's playlists come from: a playlist file, an http(s) URL, a watched folder of playlist files, a linked Spotify account, or the releases the Watchlist found on MusicBrainz. */
export type PlaylistSourceKind = 'file' | 'url' | 'folder' | 'spotify' | 'musicbrainz';

/**
 * A root folder files live under: the default library under the data folder, and any number of
 * extra roots (the upload stage copies finished files to one of them).
 */
export const StorageBackendSchema = defineEntity({
  name: 'StorageBackend',
  tableName: 'storage_backends',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    name: p.string().length(64).unique(),
    /** Absolute path of the root folder. */
    root: p.string().length(1000),
    isDefault: p.boolean().default(false),
    createdAt: p.datetime(),
  }),
});
export type StorageBackendRow = InferEntity<typeof StorageBackendSchema>;

/** Where playlists are read from (seed: playlist sources). */
export const PlaylistSourceSchema = defineEntity({
  name: 'PlaylistSource',
  tableName: 'playlist_sources',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    kind: p.string().length(16).$type<PlaylistSourceKind>(),
    /** An absolute file or folder path, or an http(s) URL, as added. */
    location: p.string().length(2000).unique(),
    /** Given when added; otherwise detected from each file. */
    format: p.string().length(8).$type<PlaylistFormat>().nullable(),
    lastReadAt: p.datetime().nullable(),
    /** Why the last read failed (naming the file and line or element); null after a good read. */
    lastError: p.text().nullable(),
    createdAt: p.datetime(),
  }),
});
export type PlaylistSourceRow = InferEntity<typeof PlaylistSourceSchema>;

export const PlaylistSchema = defineEntity({
  name: 'Playlist',
  tableName: 'playlists',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    source: p.manyToOne(PlaylistSourceSchema).deleteRule('cascade'),
    /** The playlist file within its source (the source's own location for a file or URL source). */
    sourceKey: p.string().length(2000),
    name: p.string().length(500),
    description: p.text().nullable(),
    /** Wanted playlists are kept downloaded (re-synced on the Spotify Sync daemon's schedule). */
    wanted: p.boolean().default(false),
    songCount: p.integer().default(0),
    lastSyncedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
  uniques: [{ properties: ['source', 'sourceKey'] }],
});
export type PlaylistRow = InferEntity<typeof PlaylistSchema>;

/** A song as playlists name it; one row per download location, shared by the playlists that list it. */
export const SongSchema = defineEntity({
  name: 'Song',
  tableName: 'songs',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    /** Where the file is fetched from: an http(s) URL or an absolute local path. */
    location: p.string().length(2000).unique(),
    title: p.string().length(500),
    artist: p.string().length(500).nullable(),
    album: p.string().length(500).nullable(),
    durationSec: p.double().nullable(),
    trackNumber: p.integer().nullable(),
    /** Expected size and hash, when the playlist gives them: the download is verified against them. */
    sizeBytes: p.bigint('number').nullable(),
    sha256: p.string().length(64).nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type SongRow = InferEntity<typeof SongSchema>;

/** A song's place in a playlist (a song may appear twice). */
export const PlaylistSongSchema = defineEntity({
  name: 'PlaylistSong',
  tableName: 'playlist_songs',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    playlist: p.manyToOne(PlaylistSchema).deleteRule('cascade'),
    song: p.manyToOne(SongSchema).deleteRule('cascade').index(),
    position: p.integer(),
  }),
  uniques: [{ properties: ['playlist', 'position'] }],
});
export type PlaylistSongRow = InferEntity<typeof PlaylistSongSchema>;

/** A file in a storage backend, with what its tags and bytes say. */
export const LocalFileSchema = defineEntity({
  name: 'LocalFile',
  tableName: 'local_files',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    song: p.manyToOne(SongSchema).deleteRule('set null').nullable().index(),
    backend: p.manyToOne(StorageBackendSchema).deleteRule('cascade'),
    /** Artist/Album/NN Title.ext under the backend's root. */
    relativePath: p.string().length(1000),
    sizeBytes: p.bigint('number'),
    sha256: p.string().length(64),
    /** The container as music-metadata reads it (e.g. FLAC, MPEG, WAVE). */
    container: p.string().length(32).nullable(),
    bitrateKbps: p.integer().nullable(),
    durationSec: p.double().nullable(),
    createdAt: p.datetime(),
    /** The Quality Upgrade daemon's last search for a better file (it waits 30 days before the next). */
    upgradeCheckedAt: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['backend', 'relativePath'] }],
});
export type LocalFileRow = InferEntity<typeof LocalFileSchema>;

/** Settings of the app as a whole (the global download speed limit …), by key; values are JSON. */
export const AppSettingSchema = defineEntity({
  name: 'AppSetting',
  tableName: 'app_settings',
  properties: (p) => ({
    key: p.string().length(64).primary(),
    value: p.json<unknown>(),
    updatedAt: p.datetime(),
  }),
});
export type AppSettingRow = InferEntity<typeof AppSettingSchema>;

/** A cached new release from a music service (the New Releases Sync daemon keeps the current list per source). */
export const NewReleaseSchema = defineEntity({
  name: 'NewRelease',
  tableName: 'new_releases',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    /** deezer | spotify */
    source: p.string().length(16),
    externalId: p.string().length(64),
    title: p.string().length(500),
    artist: p.string().length(500).nullable(),
    /** As the service gives it (YYYY-MM-DD, or coarser). */
    releaseDate: p.string().length(10).nullable(),
    recordType: p.string().length(32).nullable(),
    link: p.string().length(1000).nullable(),
    coverUrl: p.string().length(1000).nullable(),
    fetchedAt: p.datetime(),
  }),
  uniques: [{ properties: ['source', 'externalId'] }],
});
export type NewReleaseRow = InferEntity<typeof NewReleaseSchema>;
