import type { AutomationView } from '../../automation/center.js';
import type { MissingAlbumView, WatchedArtistView } from '../../db/repositories/automation.repository.js';
import { builder } from '../builder.js';
import { InvalidArgumentError, Worker } from './worker.js';

const WatchOriginEnum = builder.enumType('WatchOrigin', { values: { SPOTIFY: { value: 'spotify' }, MANUAL: { value: 'manual' } } as const });

const WatchedArtist = builder.objectRef<WatchedArtistView>('WatchedArtist').implement({
  description: 'An artist the Watchlist (new releases) and Discography (missing albums) daemons look after.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    mbid: t.exposeString('mbid', { nullable: true, description: 'The MusicBrainz artist, once found.' }),
    origin: t.expose('origin', { type: WatchOriginEnum, description: 'Followed on Spotify, or watched by hand.' }),
    addedAt: t.expose('addedAt', { type: 'DateTime' }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime', nullable: true, description: "The Watchlist's last look: releases since then are new." }),
    discographyAt: t.expose('discographyAt', { type: 'DateTime', nullable: true, description: "The Discography daemon's last look." }),
    lastError: t.exposeString('lastError', { nullable: true }),
    missingAlbums: t.exposeInt('missingAlbums'),
  }),
});

const MissingAlbum = builder.objectRef<MissingAlbumView>('MissingAlbum').implement({
  description: 'An album or EP of a watched artist on MusicBrainz that the library has no song of.',
  fields: (t) => ({
    id: t.exposeID('id'),
    artistId: t.exposeID('artistId'),
    artistName: t.exposeString('artistName'),
    releaseGroupMbid: t.exposeString('releaseGroupMbid'),
    title: t.exposeString('title'),
    primaryType: t.exposeString('primaryType', { nullable: true }),
    firstReleaseDate: t.exposeString('firstReleaseDate', { nullable: true, description: 'YYYY, YYYY-MM or YYYY-MM-DD, as MusicBrainz has it.' }),
    foundAt: t.expose('foundAt', { type: 'DateTime' }),
  }),
});

const Automation = builder.objectRef<AutomationView>('Automation').implement({
  description: 'The automation daemons together (Watchlist, Discography, Quality Upgrade) and what they look after.',
  fields: (t) => ({
    running: t.exposeBoolean('running', { description: 'Any of the three is running.' }),
    watchlistRunning: t.exposeBoolean('watchlistRunning'),
    discographyRunning: t.exposeBoolean('discographyRunning'),
    qualityUpgradeRunning: t.exposeBoolean('qualityUpgradeRunning'),
    workers: t.expose('workers', { type: [Worker] }),
    watchedArtists: t.exposeInt('watchedArtists'),
    missingAlbums: t.exposeInt('missingAlbums'),
    missing: t.exposeStringList('missing', { description: 'Environment variables the MusicBrainz-backed daemons still need.' }),
  }),
});

const WatchArtistPayload = builder.objectRef<{ artist: WatchedArtistView }>('WatchArtistPayload').implement({
  fields: (t) => ({ artist: t.expose('artist', { type: WatchedArtist }) }),
});
const WatchArtistResult = builder.unionType('WatchArtistResult', {
  types: [WatchArtistPayload, InvalidArgumentError],
  resolveType: (v) => ('artist' in v ? WatchArtistPayload : InvalidArgumentError),
});

builder.queryFields((t) => ({
  automation: t.field({ type: Automation, resolve: (_r, _a, ctx) => ctx.automation.view() }),
  watchedArtists: t.field({ type: [WatchedArtist], description: 'By name.', resolve: (_r, _a, ctx) => ctx.automation.watched() }),
  missingAlbums: t.field({
    type: [MissingAlbum],
    description: 'Newest first.',
    args: { first: t.arg.int({ required: false, defaultValue: 100, description: '1 to 500.' }) },
    resolve: (_r, { first }, ctx) => ctx.automation.missingAlbums(first ?? 100),
  }),
}));

builder.mutationFields((t) => ({
  watchArtist: t.field({
    type: WatchArtistResult,
    description: 'Watches an artist by name (found on MusicBrainz at the next look); InvalidArgumentError for an empty name or one watched already.',
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_r, { name }, ctx) => {
      const r = await ctx.automation.watch(name);
      return r.ok ? { artist: r.artist } : { kind: 'invalidArgument' as const, argument: r.argument, message: r.message };
    },
  }),
  unwatchArtist: t.field({
    type: 'Boolean',
    description: 'Stops watching (its missing albums go too); false when there was no such artist. An artist followed on Spotify comes back at the next look while it is followed.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.automation.unwatch(Number(id)),
  }),
}));
