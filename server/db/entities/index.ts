import { AuditLogSchema } from './audit-log.entity.js';
import { DaemonSchema } from './daemon.entity.js';
import { AppSettingSchema, LocalFileSchema, NewReleaseSchema, PlaylistSchema, PlaylistSongSchema, PlaylistSourceSchema, SongSchema, StorageBackendSchema } from './library.entity.js';
import { SoulseekTransferSchema } from './soulseek.entity.js';
import { MissingAlbumSchema, WatchedArtistSchema } from './automation.entity.js';
import { FollowedArtistSchema, SavedAlbumSchema, SpotifyAccountSchema } from './spotify-account.entity.js';
import { JobCommandSchema, JobEventSchema, JobItemSchema, JobRunSchema, JobStageSchema, JobWorkerSchema, LaneSchema } from './job.entity.js';

/** Every entity, listed explicitly (no folder discovery). */
export const entities = [
  DaemonSchema,
  AuditLogSchema,
  JobRunSchema,
  JobStageSchema,
  JobItemSchema,
  JobWorkerSchema,
  JobCommandSchema,
  JobEventSchema,
  LaneSchema,
  StorageBackendSchema,
  PlaylistSourceSchema,
  PlaylistSchema,
  SongSchema,
  PlaylistSongSchema,
  LocalFileSchema,
  AppSettingSchema,
  NewReleaseSchema,
  SpotifyAccountSchema,
  FollowedArtistSchema,
  SavedAlbumSchema,
  SoulseekTransferSchema,
  WatchedArtistSchema,
  MissingAlbumSchema,
];
