import type { PlaylistListRow, SourceRow } from '../../db/repositories/playlist.repository.js';
import type { PlaylistsChangeReason } from '../../events/topics.js';
import type { BulkAction, PlaylistError } from '../../playlists/center.js';
import { builder, ErrorInterface } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { decodeCursor, keysetConnection, numericIdOf, pageSize } from '../ids.js';
import { Job, JobPayload as JobPayloadRef, JobResultUnion, toResult } from './job.js';
import { InvalidArgumentError } from './worker.js';

const PlaylistSourceKindEnum = builder.enumType('PlaylistSourceKind', {
  values: { FILE: { value: 'file' }, URL: { value: 'url' }, FOLDER: { value: 'folder' }, SPOTIFY: { value: 'spotify' }, MUSICBRAINZ: { value: 'musicbrainz' } } as const,
});

const PlaylistSourceType = builder.objectRef<SourceRow>('PlaylistSource');
builder.node(PlaylistSourceType, {
  description: 'Where playlists are read from: a playlist file, a watched folder of them, or an http(s) URL.',
  id: { resolve: (s) => s.id },
  loadMany: async (ids, ctx: GraphQLContext) => {
    const byId = new Map((await ctx.playlists.sources()).map((s) => [String(s.id), s]));
    return ids.map((id) => byId.get(id) ?? null);
  },
  fields: (t) => ({
    location: t.exposeString('location', { description: 'The absolute path or URL, as added.' }),
    kind: t.expose('kind', { type: PlaylistSourceKindEnum }),
    format: t.exposeString('format', { nullable: true, description: 'The format given when added (m3u, m3u8, pls, xspf, json); null: detected per file.' }),
    playlistCount: t.exposeInt('playlistCount'),
    lastReadAt: t.expose('lastReadAt', { type: 'DateTime', nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last read failed, naming the file and its line or element; null after a good read.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const PlaylistType = builder.objectRef<PlaylistListRow>('Playlist');
builder.node(PlaylistType, {
  id: { resolve: (p) => p.id },
  loadOne: (id, ctx: GraphQLContext) => ctx.playlists.byId(Number(id)),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    songCount: t.exposeInt('songCount', { description: 'Entries of the playlist as last synced (0 before its first sync).' }),
    wanted: t.exposeBoolean('wanted', { description: 'Wanted playlists are kept synced and downloaded.' }),
    lastSyncedAt: t.expose('lastSyncedAt', { type: 'DateTime', nullable: true, description: 'Null: never synced (a sync is recommended).' }),
    distinctSongCount: t.exposeInt('distinctSongCount', { description: 'Different songs among the entries.' }),
    downloadedSongCount: t.int({ description: 'Of the different songs, how many have a file in the library.', resolve: (p) => p.downloadedCount }),
    location: t.exposeString('sourceKey', { description: 'The playlist file (or URL) it is read from.' }),
    sourceId: t.globalID({ description: 'Its PlaylistSource (see playlistSources).', resolve: (p) => ({ type: 'PlaylistSource', id: p.sourceId }) }),
  }),
});

builder.objectField(Job, 'playlists', (t) =>
  t.field({
    type: [PlaylistType],
    description: "The playlists the job was created for, in its order, each with its songs and how many are in the library (the job's playlist progress); empty for a job of all playlists.",
    resolve: (r, _a, ctx) => ctx.playlists.ofJob(r.jobId),
  }),
);

// ---- errors ------------------------------------------------------------------------------

const PlaylistSourceNotFoundError = builder.objectRef<Extract<PlaylistError, { kind: 'sourceNotFound' }>>('PlaylistSourceNotFoundError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({ id: t.exposeID('id', { description: 'The id as given.' }) }),
});

// ---- results -----------------------------------------------------------------------------

const PlaylistsPayload = builder.objectRef<{ playlists: PlaylistListRow[] }>('PlaylistsPayload').implement({
  fields: (t) => ({ playlists: t.expose('playlists', { type: [PlaylistType] }) }),
});
const SetWantedResult = builder.unionType('SetPlaylistsWantedResult', {
  description: 'The playlists as they are now, or InvalidArgumentError (an empty list, or ids that name no playlist: nothing changed).',
  types: [PlaylistsPayload, InvalidArgumentError],
  resolveType: (v) => ('kind' in v ? InvalidArgumentError : PlaylistsPayload),
});

const AddSourcePayload = builder.objectRef<{ source: SourceRow; jobId: number | null }>('AddPlaylistSourcePayload').implement({
  fields: (t) => ({
    source: t.expose('source', { type: PlaylistSourceType }),
    collectJobId: t.id({ nullable: true, description: 'The COLLECT_ONLY job that reads the new source (its TaskRow id).', resolve: (p) => p.jobId }),
  }),
});
const AddSourceResult = builder.unionType('AddPlaylistSourceResult', {
  types: [AddSourcePayload, InvalidArgumentError],
  resolveType: (v) => ('kind' in v ? InvalidArgumentError : AddSourcePayload),
});

const RemoveSourcePayload = builder.objectRef<{ id: number }>('RemovePlaylistSourcePayload').implement({
  fields: (t) => ({ removedId: t.id({ resolve: (p) => p.id }) }),
});
const RemoveSourceResult = builder.unionType('RemovePlaylistSourceResult', {
  types: [RemoveSourcePayload, PlaylistSourceNotFoundError],
  resolveType: (v) => ('kind' in v ? PlaylistSourceNotFoundError : RemoveSourcePayload),
});

const RereadSourceResult = builder.unionType('RereadPlaylistSourceResult', {
  types: [JobPayloadRef, PlaylistSourceNotFoundError],
  resolveType: (v) => ('kind' in v ? PlaylistSourceNotFoundError : JobPayloadRef),
});

const PlaylistsChangeReasonEnum = builder.enumType('PlaylistsChangeReason', {
  values: {
    SOURCE_ADDED: { value: 'sourceAdded' },
    SOURCE_REMOVED: { value: 'sourceRemoved' },
    SOURCE_READ: { value: 'sourceRead' },
    WANTED: { value: 'wanted' },
    SYNCED: { value: 'synced' },
    DOWNLOADED: { value: 'downloaded' },
  } as const,
});

const PlaylistsChangedEvent = builder.objectRef<{ reason: PlaylistsChangeReason; at: Date }>('PlaylistsChangedEvent').implement({
  description: 'Playlists or their sources changed: read playlists / playlistSources again.',
  fields: (t) => ({ reason: t.expose('reason', { type: PlaylistsChangeReasonEnum }), at: t.expose('at', { type: 'DateTime' }) }),
});

builder.subscriptionFields((t) => ({
  playlistsChanged: t.field({
    type: PlaylistsChangedEvent,
    description: 'A source added, read or removed, wanted flags set, a playlist synced, a song filed in the library.',
    subscribe: (_r, _a, ctx) => ctx.bus.subscribe('playlists:changed'),
    resolve: (e) => e,
  }),
}));

// ---- root fields -------------------------------------------------------------------------

builder.queryFields((t) => ({
  playlists: t.connection(
    {
      type: PlaylistType,
      description: 'Every playlist, oldest first.',
      resolve: async (_r, args, ctx) => {
        const after = decodeCursor('playlist', args.after);
        const page = await ctx.playlists.page(pageSize(args.first, 500), after);
        return keysetConnection('playlist', page.rows, (p) => p.id, page.hasNextPage, after);
      },
    },
    { name: 'PlaylistConnection' },
    { name: 'PlaylistEdge' },
  ),
  playlistSources: t.field({ type: [PlaylistSourceType], resolve: (_r, _a, ctx) => ctx.playlists.sources() }),
}));

const playlistIdOf = (id: string | number): number | null => numericIdOf(id, ['Playlist']);

function bulk(name: string, action: BulkAction, description: string) {
  builder.mutationField(name, (t) =>
    t.field({
      type: JobResultUnion,
      description,
      args: { playlistIds: t.arg.idList({ required: true, description: 'The playlists, in the order their work should go.' }) },
      resolve: async (_r, { playlistIds }, ctx) => {
        return toResult(await ctx.playlists.bulk(action, playlistIds.map(playlistIdOf), ctx.clientAddress));
      },
    }),
  );
}
bulk('syncSelectedPlaylists', 'sync', 'One SYNC_ONLY job ("Sync Selected Playlists") for these playlists; an empty list or an unknown id creates nothing.');
bulk('downloadSelectedPlaylists', 'download', 'One DOWNLOAD_ONLY job ("Download Selected Playlists") for these playlists.');
bulk('syncThenDownloadPlaylists', 'syncThenDownload', 'One SYNC_DOWNLOAD job ("Sync Then Download") for these playlists.');

builder.mutationFields((t) => ({
  setPlaylistsWanted: t.field({
    type: SetWantedResult,
    args: { playlistIds: t.arg.idList({ required: true }), wanted: t.arg.boolean({ required: true }) },
    resolve: async (_r, { playlistIds, wanted }, ctx) => {
      const r = await ctx.playlists.setWanted(playlistIds.map(playlistIdOf), wanted);
      return r.ok ? { playlists: r.playlists } : r.error;
    },
  }),
  addPlaylistSource: t.field({
    type: AddSourceResult,
    description: 'Adds a playlist file, a folder of playlist files, or an http(s) URL, and queues a COLLECT_ONLY job that reads it.',
    args: {
      location: t.arg.string({ required: true, description: 'An absolute path (file or folder) or an http(s) URL.' }),
      format: t.arg.string({ required: false, description: 'm3u, m3u8, pls, xspf or json; detected from each file when omitted.' }),
    },
    resolve: async (_r, { location, format }, ctx) => {
      const r = await ctx.playlists.addSource(location, format ?? null, ctx.clientAddress);
      return r.ok ? { source: r.source, jobId: r.job?.jobId ?? null } : r.error;
    },
  }),
  rereadPlaylistSource: t.field({
    type: RereadSourceResult,
    description: 'Reads a source again now (a COLLECT_ONLY job for it); folder sources are also re-read when their files change.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      const sourceId = numericIdOf(id, ['PlaylistSource']);
      const r = sourceId === null ? null : await ctx.playlists.reread(sourceId, ctx.clientAddress);
      if (r?.ok) return { job: r.job };
      return r?.error ?? { kind: 'sourceNotFound' as const, id: String(id), message: `Playlist source ${String(id)} not found` };
    },
  }),
  removePlaylistSource: t.field({
    type: RemoveSourceResult,
    description: 'Removes a source with its playlists.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      const sourceId = numericIdOf(id, ['PlaylistSource']);
      const r = sourceId === null ? null : await ctx.playlists.removeSource(sourceId);
      return r?.ok ? { id: r.id } : { kind: 'sourceNotFound' as const, id: String(id), message: `Playlist source ${String(id)} not found` };
    },
  }),
}));
