import type { AutomationRepository, WatchedArtistView } from '../db/repositories/automation.repository.js';
import type { PlaylistRepository } from '../db/repositories/playlist.repository.js';
import { albumsMissing, nameKey } from '../domain/automation/albums.js';
import { chooseRelease, newReleaseGroupsSince } from '../domain/musicbrainz/releases.js';
import type { MusicBrainzClient } from '../integrations/musicbrainz.js';
import type { TaskCenter } from '../jobs/task-center.js';
import type { RemotePlaylists } from '../spotify/playlists.js';

/** The playlist source the Watchlist's releases live in. */
export const WATCHLIST_SOURCE = 'musicbrainz:watchlist';
const RELEASE_KEY = /^musicbrainz:release:([0-9a-f-]{36})$/i;
/** Album and EP release groups: what the watchlist and the discography look at. */
const TYPES = ['album', 'ep'];

/** What the Watchlist and Discography daemons use. */
export interface AutomationPort {
  /** Configuration still needed (variable names); empty when MusicBrainz can be asked. */
  missing(): readonly string[];
  /** Watches the artists followed on Spotify; how many were added. */
  watchFollowed(): Promise<number>;
  due(which: 'watchlist' | 'discography', before: Date, limit: number): Promise<WatchedArtistView[]>;
  /** A look at an artist is done, with the error that ended it or null. */
  looked(which: 'watchlist' | 'discography', artistId: number, error: string | null): Promise<void>;
  /** The artist's albums and EPs first released since its last look, each a new wanted playlist; their ids. */
  newReleases(artist: WatchedArtistView, signal: AbortSignal): Promise<number[]>;
  /** One SYNC_DOWNLOAD job for the playlists. */
  queue(playlistIds: readonly number[], requestedBy: string): Promise<number>;
  /** The artist's albums and EPs the library has no song of; how many. */
  discography(artist: WatchedArtistView, signal: AbortSignal): Promise<number>;
  /** Missing albums over all watched artists. */
  missingCount(): Promise<number>;
}

/**
 * The automation work against MusicBrainz: finds each watched artist there (by name, once),
 * turns new releases into playlists of a 'musicbrainz' source whose songs are the release's
 * tracks (downloaded through Soulseek like Spotify tracks), and lists missing albums.
 */
export function automation(d: {
  /** The client for the current connection (it may change in the SPA's settings); null while not configured. */
  mb: () => MusicBrainzClient | null;
  missing: () => readonly string[];
  repo: AutomationRepository;
  playlists: PlaylistRepository;
  tasks: TaskCenter;
}): AutomationPort {
  const mb = (): MusicBrainzClient => {
    const client = d.mb();
    if (!client) throw new Error(`MusicBrainz is not configured: set ${d.missing().join(' and ')}`);
    return client;
  };
  /** The artist's MusicBrainz id: stored, else the best-scored search hit of the same name. */
  const mbidOf = async (a: WatchedArtistView, signal: AbortSignal): Promise<string> => {
    if (a.mbid) return a.mbid;
    const { items } = await mb().searchArtists(a.name, { limit: 5, signal });
    const hit = items.find((x) => nameKey(x.name) === nameKey(a.name) && (x.score ?? 0) >= 90);
    if (!hit) throw new Error(`${a.name}: no artist of that name on MusicBrainz`);
    await d.repo.setMbid(a.id, hit.id);
    return hit.id;
  };
  return {
    missing: () => d.missing(),
    watchFollowed: () => d.repo.watchFollowed(),
    due: (which, before, limit) => d.repo.due(which, before, limit),
    looked: (which, id, error) => d.repo.looked(which, id, new Date(), error),
    async newReleases(a, signal) {
      const mbid = await mbidOf(a, signal);
      const groups = (await mb().browseReleaseGroups(mbid, { type: TYPES, signal })).items;
      const fresh = newReleaseGroupsSince(groups, a.checkedAt ?? a.addedAt);
      if (fresh.length === 0) return [];
      const releases = (await mb().browseReleases(mbid, { type: TYPES, status: ['official'], signal })).items;
      const sourceId = await d.playlists.ensureSource('musicbrainz', WATCHLIST_SOURCE);
      const created: number[] = [];
      for (const g of fresh) {
        const release = chooseRelease(releases, g.id);
        if (!release) continue; // announced, nothing released yet: the next look finds it
        const p = await d.playlists.ensurePlaylist(
          sourceId,
          `musicbrainz:release:${release.id}`,
          `${a.name} – ${g.title}`,
          `${g.primaryType ?? 'Release'} of ${g.firstReleaseDate ?? 'unknown date'}, found by the Watchlist`,
        );
        if (p.created) created.push(p.id);
      }
      if (created.length) await d.playlists.setWanted(created, true);
      return created;
    },
    async queue(playlistIds, requestedBy) {
      const r = await d.tasks.createJob({ jobType: 'sync_download', playlistIds: [...playlistIds], requestedBy });
      if (!r.ok) throw new Error(r.error.message);
      return r.job.jobId;
    },
    missingCount: async () => (await d.repo.counts()).missing,
    async discography(a, signal) {
      const mbid = await mbidOf(a, signal);
      const groups = (await mb().browseReleaseGroups(mbid, { type: TYPES, signal })).items.filter((g) => g.secondaryTypes.length === 0);
      const missing = albumsMissing(groups, a.name, await d.repo.libraryAlbums());
      return d.repo.replaceMissing(
        a.id,
        missing.map((g) => ({ releaseGroupMbid: g.id, title: g.title, primaryType: g.primaryType, firstReleaseDate: g.firstReleaseDate })),
      );
    },
  };
}

/** The Watchlist's playlists: each a MusicBrainz release, its songs the release's tracks. */
export function musicBrainzPlaylists(mb: () => MusicBrainzClient | null, playlists: PlaylistRepository): RemotePlaylists {
  return {
    // the Watchlist adds them; a read of the source keeps what is there
    async list() {
      const [source] = (await playlists.sources()).filter((s) => s.location === WATCHLIST_SOURCE);
      if (!source) return [];
      return (await playlists.ofSources([source.id])).map((p) => ({ sourceKey: p.sourceKey, name: p.name, description: p.description }));
    },
    async entries(sourceKey, signal) {
      const client = mb();
      if (!client) throw new Error('MusicBrainz is not configured');
      const id = RELEASE_KEY.exec(sourceKey)?.[1];
      if (!id) throw new Error(`${sourceKey}: not a MusicBrainz release`);
      const release = await client.releaseWithTracks(id, { signal });
      if (!release) throw new Error(`${sourceKey}: MusicBrainz has no such release`);
      return release.tracks.map((t, i) => ({
        position: i,
        location: `musicbrainz:recording:${t.recordingId}`,
        title: t.title,
        artist: t.artist ?? release.artist,
        album: release.title,
        durationSec: t.lengthMs === null ? null : Math.round(t.lengthMs / 1000),
        trackNumber: t.position,
        sizeBytes: null,
        sha256: null,
      }));
    },
  };
}
