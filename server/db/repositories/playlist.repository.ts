import type { EntityManager } from '@mikro-orm/sqlite';
import type { PlaylistEntry, PlaylistFormat } from '../../domain/playlists/types.js';
import { songDiff, type SongDiff } from '../../domain/playlists/song-diff.js';
import type { PlaylistSourceKind } from '../entities/library.entity.js';
import { statementsOf, type Statements } from '../statements.js';

export interface SourceRow {
  id: number;
  kind: PlaylistSourceKind;
  location: string;
  format: PlaylistFormat | null;
  lastReadAt: Date | null;
  lastError: string | null;
  playlistCount: number;
  createdAt: Date;
}

export interface PlaylistListRow {
  id: number;
  sourceId: number;
  sourceKey: string;
  name: string;
  description: string | null;
  wanted: boolean;
  songCount: number;
  /** Songs of the playlist with a file in the library (distinct songs). */
  downloadedCount: number;
  /** Distinct songs of the playlist. */
  distinctSongCount: number;
  lastSyncedAt: Date | null;
  createdAt: Date;
}

/** A song a download stage fetches: where from, what it should be, and the playlist's tags for it. */
export interface MissingSong {
  id: number;
  location: string;
  title: string;
  artist: string | null;
  album: string | null;
  /** Seconds, when the playlist says (Spotify always does). */
  durationSec: number | null;
  /** The MusicBrainz release, for a song of a Watchlist release playlist (its cover is fetched). */
  releaseMbid: string | null;
  trackNumber: number | null;
  sizeBytes: number | null;
  sha256: string | null;
}

/** A library file the Quality Upgrade daemon may replace. */
export interface UpgradeCandidate {
  readonly id: number;
  readonly songId: number | null;
  readonly relativePath: string;
  readonly sha256: string;
  readonly container: string;
  readonly bitrateKbps: number | null;
  readonly durationSec: number | null;
  readonly title: string | null;
  readonly artist: string | null;
  readonly album: string | null;
}

export interface NewLocalFile {
  songId: number | null;
  backendId: number;
  relativePath: string;
  sizeBytes: number;
  sha256: string;
  container: string | null;
  bitrateKbps: number | null;
  durationSec: number | null;
}

export interface BackendRow {
  id: number;
  name: string;
  root: string;
  isDefault: boolean;
}

export interface LocalFileRow {
  id: number;
  songId: number | null;
  backendId: number;
  relativePath: string;
  sizeBytes: number;
  sha256: string;
}

const date = (v: number | null): Date | null => (v === null ? null : new Date(v));

/**
 * Playlist sources, playlists, songs and library files. Prepared statements (statements.ts);
 * lists are one statement each, whatever their length.
 */
export class PlaylistRepository {
  private readonly sql: Statements;
  private readonly readSql: Statements;

  constructor(em: EntityManager) {
    this.sql = statementsOf(em.getConnection().getKnex());
    this.readSql = statementsOf(em.getConnection('read').getKnex());
  }

  // ---- storage backends --------------------------------------------------------------------

  /** The default library root (created on first start, its root follows the configuration). */
  async ensureDefaultBackend(root: string, now = new Date()): Promise<BackendRow> {
    const [row] = await this.sql.all<{ id: number; name: string; root: string; is_default: number }>(
      `insert into storage_backends (name, root, is_default, created_at) values ('library', ?, 1, ?)
       on conflict (name) do update set root = excluded.root, is_default = 1
       returning id, name, root, is_default`,
      [root, now.getTime()],
    );
    return { id: row!.id, name: row!.name, root: row!.root, isDefault: true };
  }

  /** Adds (or re-points) an extra root. */
  async upsertBackend(name: string, root: string, now = new Date()): Promise<BackendRow> {
    const [row] = await this.sql.all<{ id: number; name: string; root: string; is_default: number }>(
      `insert into storage_backends (name, root, is_default, created_at) values (?, ?, 0, ?)
       on conflict (name) do update set root = excluded.root
       returning id, name, root, is_default`,
      [name, root, now.getTime()],
    );
    return { id: row!.id, name: row!.name, root: row!.root, isDefault: row!.is_default === 1 };
  }

  async backends(): Promise<BackendRow[]> {
    const rows = await this.sql.all<{ id: number; name: string; root: string; is_default: number }>(`select id, name, root, is_default from storage_backends order by id`);
    return rows.map((r) => ({ id: r.id, name: r.name, root: r.root, isDefault: r.is_default === 1 }));
  }

  // ---- sources -----------------------------------------------------------------------------

  /** Adds a source; null when one with this location exists already. */
  async addSource(kind: PlaylistSourceKind, location: string, format: PlaylistFormat | null, now = new Date()): Promise<number | null> {
    const rows = await this.sql.all<{ id: number }>(
      `insert into playlist_sources (kind, location, format, created_at) values (?, ?, ?, ?) on conflict (location) do nothing returning id`,
      [kind, location, format, now.getTime()],
    );
    return rows[0]?.id ?? null;
  }

  /** Removes a source with its playlists (and their song lists); false when there is none. */
  async removeSource(id: number): Promise<boolean> {
    return (await this.sql.run(`delete from playlist_sources where id = ?`, [id])) === 1;
  }

  /** Sources, oldest first, with how many playlists each has (one statement). */
  async sources(ids: readonly number[] | null = null): Promise<SourceRow[]> {
    const rows = await this.readSql.all<{
      id: number;
      kind: PlaylistSourceKind;
      location: string;
      format: PlaylistFormat | null;
      last_read_at: number | null;
      last_error: string | null;
      created_at: number;
      playlists: number;
    }>(
      `select s.id, s.kind, s.location, s.format, s.last_read_at, s.last_error, s.created_at,
              (select count(*) from playlists p where p.source_id = s.id) as playlists
       from playlist_sources s ${ids === null ? '' : 'where s.id in (select value from json_each(?))'} order by s.id`,
      ids === null ? [] : [JSON.stringify(ids)],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      location: r.location,
      format: r.format,
      lastReadAt: date(r.last_read_at),
      lastError: r.last_error,
      playlistCount: r.playlists,
      createdAt: new Date(r.created_at),
    }));
  }

  /**
   * What a read of a source found: its playlists are created or renamed, and those whose file is
   * gone are removed, in one transaction with the source's read time and error (null: read fine).
   */
  async recordSourceRead(
    sourceId: number,
    found: readonly { sourceKey: string; name: string; description: string | null }[],
    error: string | null,
    now = new Date(),
  ): Promise<{ created: number; updated: number; removed: number }> {
    const t = now.getTime();
    return this.sql.transaction(async (sql) => {
      await sql.run(`update playlist_sources set last_read_at = ?, last_error = ? where id = ?`, [t, error, sourceId]);
      if (found.length === 0 && error !== null) return { created: 0, updated: 0, removed: 0 };
      const json = JSON.stringify(found.map((f) => ({ key: f.sourceKey, name: f.name, description: f.description })));
      const before = await sql.all<{ source_key: string; name: string; description: string | null }>(`select source_key, name, description from playlists where source_id = ?`, [sourceId]);
      const known = new Map(before.map((b) => [b.source_key, b]));
      await sql.run(
        `insert into playlists (source_id, source_key, name, description, wanted, song_count, created_at, updated_at)
         select ?, value ->> 'key', value ->> 'name', value ->> 'description', 0, 0, ?, ? from json_each(?) where true
         on conflict (source_id, source_key) do update set name = excluded.name, description = excluded.description,
           updated_at = case when playlists.name is not excluded.name or playlists.description is not excluded.description then excluded.updated_at else playlists.updated_at end`,
        [sourceId, t, t, json],
      );
      // a failed read of one file of a folder keeps that file's playlist; a good read of the whole source drops the rest
      const removed =
        error === null
          ? await sql.run(`delete from playlists where source_id = ? and source_key not in (select value ->> 'key' from json_each(?))`, [sourceId, json])
          : 0;
      let created = 0;
      let updated = 0;
      for (const f of found) {
        const b = known.get(f.sourceKey);
        if (!b) created++;
        else if (b.name !== f.name || b.description !== f.description) updated++;
      }
      return { created, updated, removed };
    });
  }

  // ---- playlists ---------------------------------------------------------------------------

  /** A playlist of a source by its key, created (not wanted, no songs) when it is not there yet. */
  async ensurePlaylist(sourceId: number, sourceKey: string, name: string, description: string | null, now = new Date()): Promise<{ id: number; created: boolean }> {
    const [made] = await this.sql.all<{ id: number }>(
      `insert into playlists (source_id, source_key, name, description, wanted, song_count, created_at, updated_at)
       values (?, ?, ?, ?, 0, 0, ?, ?) on conflict (source_id, source_key) do nothing returning id`,
      [sourceId, sourceKey, name, description, now.getTime(), now.getTime()],
    );
    if (made) return { id: made.id, created: true };
    const [row] = await this.sql.all<{ id: number }>(`select id from playlists where source_id = ? and source_key = ?`, [sourceId, sourceKey]);
    return { id: (row as { id: number }).id, created: false };
  }

  /** A source by its location, added when there is none (for the sources Roadie keeps itself: Spotify, the watchlist). */
  async ensureSource(kind: PlaylistSourceKind, location: string, now = new Date()): Promise<number> {
    const added = await this.addSource(kind, location, null, now);
    if (added !== null) return added;
    const [row] = await this.sql.all<{ id: number }>(`select id from playlist_sources where location = ?`, [location]);
    return (row as { id: number }).id;
  }

  /** A page of playlists by id (keyset: after the given id), with download progress; one statement. */
  async page(first: number, afterId: number | null): Promise<{ rows: PlaylistListRow[]; hasNextPage: boolean }> {
    const rows = await this.listRows(`${afterId === null ? '' : 'where p.id > ?'} order by p.id limit ?`, afterId === null ? [first + 1] : [afterId, first + 1]);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** The playlists with these ids, in the order given (unknown ids are left out). */
  async byIds(ids: readonly number[]): Promise<PlaylistListRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.listRows(`where p.id in (select value from json_each(?))`, [JSON.stringify(ids)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Playlists of the given sources (all sources when null), by id. */
  async ofSources(sourceIds: readonly number[] | null): Promise<PlaylistListRow[]> {
    return sourceIds === null
      ? this.listRows('order by p.id', [])
      : this.listRows('where p.source_id in (select value from json_each(?)) order by p.id', [JSON.stringify(sourceIds)]);
  }

  /** The playlists a job was created for, in its order (none for a job without chosen playlists); one statement. */
  async ofJob(jobId: number): Promise<PlaylistListRow[]> {
    return this.listRows(`join json_each((select scope from job_runs where id = ?), '$.playlistIds') chosen on chosen.value = p.id order by chosen.key`, [jobId]);
  }

  async wantedIds(): Promise<number[]> {
    return (await this.sql.all<{ id: number }>(`select id from playlists where wanted = 1 order by id`)).map((r) => r.id);
  }

  private async listRows(tail: string, params: (string | number)[]): Promise<PlaylistListRow[]> {
    const rows = await this.readSql.all<{
      id: number;
      source_id: number;
      source_key: string;
      name: string;
      description: string | null;
      wanted: number;
      song_count: number;
      distinct_songs: number;
      downloaded: number;
      last_synced_at: number | null;
      created_at: number;
    }>(
      `select p.id, p.source_id, p.source_key, p.name, p.description, p.wanted, p.song_count, p.last_synced_at, p.created_at,
              (select count(distinct ps.song_id) from playlist_songs ps where ps.playlist_id = p.id) as distinct_songs,
              (select count(distinct ps.song_id) from playlist_songs ps
                 where ps.playlist_id = p.id and exists (select 1 from local_files f where f.song_id = ps.song_id)) as downloaded
       from playlists p ${tail}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      sourceId: r.source_id,
      sourceKey: r.source_key,
      name: r.name,
      description: r.description,
      wanted: r.wanted === 1,
      songCount: r.song_count,
      distinctSongCount: r.distinct_songs,
      downloadedCount: r.downloaded,
      lastSyncedAt: date(r.last_synced_at),
      createdAt: new Date(r.created_at),
    }));
  }

  /** Marks playlists wanted or not; returns how many exist among the ids. */
  async setWanted(ids: readonly number[], wanted: boolean, now = new Date()): Promise<number> {
    return this.sql.run(`update playlists set wanted = ?, updated_at = ? where id in (select value from json_each(?))`, [wanted ? 1 : 0, now.getTime(), JSON.stringify(ids)]);
  }

  /**
   * Replaces a playlist's songs with what its file lists now, in one transaction: songs are
   * found or created by location (their tags refreshed), the list is rewritten in order, and
   * song_count and last_synced_at follow. Returns what changed.
   */
  async replaceSongs(playlistId: number, entries: readonly PlaylistEntry[], now = new Date()): Promise<SongDiff | null> {
    const t = now.getTime();
    return this.sql.transaction(async (sql) => {
      // the write lock is held from BEGIN IMMEDIATE: a playlist there now stays until the commit
      const [exists] = await sql.all<{ id: number }>(`select id from playlists where id = ?`, [playlistId]);
      if (!exists) return null; // removed with its source meanwhile
      const before = await sql.all<{ location: string }>(
        `select s.location from playlist_songs ps join songs s on s.id = ps.song_id where ps.playlist_id = ? order by ps.position`,
        [playlistId],
      );
      const json = JSON.stringify(
        entries.map((e) => ({
          location: e.location,
          title: e.title ?? fileTitle(e.location),
          artist: e.artist,
          album: e.album,
          durationSec: e.durationSec,
          trackNumber: e.trackNumber,
          sizeBytes: e.sizeBytes,
          sha256: e.sha256,
        })),
      );
      await sql.run(
        `insert into songs (location, title, artist, album, duration_sec, track_number, size_bytes, sha256, created_at, updated_at)
         select value ->> 'location', value ->> 'title', value ->> 'artist', value ->> 'album', value ->> 'durationSec',
                value ->> 'trackNumber', value ->> 'sizeBytes', value ->> 'sha256', ?, ? from json_each(?) where true
         on conflict (location) do update set title = excluded.title,
           artist = coalesce(excluded.artist, songs.artist), album = coalesce(excluded.album, songs.album),
           duration_sec = coalesce(excluded.duration_sec, songs.duration_sec), track_number = coalesce(excluded.track_number, songs.track_number),
           size_bytes = coalesce(excluded.size_bytes, songs.size_bytes), sha256 = coalesce(excluded.sha256, songs.sha256),
           updated_at = excluded.updated_at`,
        [t, t, json],
      );
      await sql.run(`delete from playlist_songs where playlist_id = ?`, [playlistId]);
      await sql.run(
        `insert into playlist_songs (playlist_id, song_id, position)
         select ?, s.id, e.key from json_each(?) e join songs s on s.location = e.value ->> 'location'`,
        [playlistId, json],
      );
      await sql.run(`update playlists set song_count = ?, last_synced_at = ?, updated_at = ? where id = ?`, [entries.length, t, t, playlistId]);
      return songDiff(
        before.map((b) => b.location),
        entries.map((e) => e.location),
      );
    });
  }

  // ---- songs and files ---------------------------------------------------------------------

  /**
   * Songs of these playlists without a file in the library, each once, in the order of the
   * playlists given and then of their positions (one statement).
   */
  async missingSongs(playlistIds: readonly number[]): Promise<MissingSong[]> {
    if (playlistIds.length === 0) return [];
    const rows = await this.sql.all<{
      id: number;
      location: string;
      title: string;
      artist: string | null;
      album: string | null;
      duration_sec: number | null;
      release_mbid: string | null;
      track_number: number | null;
      size_bytes: number | null;
      sha256: string | null;
    }>(
      `with chosen(playlist_id, ord) as (select value, key from json_each(?)),
       listed as (select ps.song_id, min(c.ord * 1000000 + ps.position) as ord
                  from playlist_songs ps join chosen c on c.playlist_id = ps.playlist_id group by ps.song_id)
       select s.id, s.location, s.title, s.artist, s.album, s.duration_sec, s.track_number, s.size_bytes, s.sha256,
              (select substr(p.source_key, 21) from playlist_songs x join playlists p on p.id = x.playlist_id
                where x.song_id = s.id and p.source_key like 'musicbrainz:release:%' limit 1) as release_mbid
       from listed l join songs s on s.id = l.song_id
       where not exists (select 1 from local_files f where f.song_id = s.id)
       order by l.ord`,
      [JSON.stringify(playlistIds)],
    );
    return rows.map((r) => ({
      id: r.id,
      location: r.location,
      title: r.title,
      artist: r.artist,
      album: r.album,
      durationSec: r.duration_sec,
      releaseMbid: r.release_mbid,
      trackNumber: r.track_number,
      sizeBytes: r.size_bytes,
      sha256: r.sha256,
    }));
  }

  /** Records a file in a backend (replacing the record of the same path); returns its id. */
  async recordLocalFile(f: NewLocalFile, now = new Date()): Promise<number> {
    const [row] = await this.sql.all<{ id: number }>(
      `insert into local_files (song_id, backend_id, relative_path, size_bytes, sha256, container, bitrate_kbps, duration_sec, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (backend_id, relative_path) do update set song_id = excluded.song_id, size_bytes = excluded.size_bytes,
         sha256 = excluded.sha256, container = excluded.container, bitrate_kbps = excluded.bitrate_kbps, duration_sec = excluded.duration_sec
       returning id`,
      [f.songId, f.backendId, f.relativePath, f.sizeBytes, f.sha256, f.container, f.bitrateKbps, f.durationSec, now.getTime()],
    );
    return row!.id;
  }

  /**
   * Library files of a lossy container below `minKbps` (or of unknown rate) not searched for an
   * upgrade since `before`, with their song's tags; never-searched first.
   */
  async upgradeCandidates(backendId: number, minKbps: number, before: Date, limit: number): Promise<UpgradeCandidate[]> {
    const rows = await this.sql.all<{
      id: number;
      song_id: number | null;
      relative_path: string;
      sha256: string;
      container: string;
      bitrate_kbps: number | null;
      duration_sec: number | null;
      title: string | null;
      artist: string | null;
      album: string | null;
    }>(
      `select f.id, f.song_id, f.relative_path, f.sha256, f.container, f.bitrate_kbps, f.duration_sec, s.title, s.artist, s.album
       from local_files f left join songs s on s.id = f.song_id
       where f.backend_id = ? and f.container in ('MPEG', 'MPEG-4', 'Ogg', 'ASF') and (f.bitrate_kbps is null or f.bitrate_kbps < ?)
         and (f.upgrade_checked_at is null or f.upgrade_checked_at < ?)
       order by f.upgrade_checked_at nulls first, f.id limit ?`,
      [backendId, minKbps, before.getTime(), limit],
    );
    return rows.map((r) => ({
      id: r.id,
      songId: r.song_id,
      relativePath: r.relative_path,
      sha256: r.sha256,
      container: r.container,
      bitrateKbps: r.bitrate_kbps,
      durationSec: r.duration_sec,
      title: r.title,
      artist: r.artist,
      album: r.album,
    }));
  }

  async upgradeChecked(localFileId: number, at = new Date()): Promise<void> {
    await this.sql.run(`update local_files set upgrade_checked_at = ? where id = ?`, [at.getTime(), localFileId]);
  }

  /** Points a library file's row at its better replacement, if the row still describes the file it replaces (its hash). */
  async replaceLocalFile(
    localFileId: number,
    oldSha256: string,
    f: { relativePath: string; sizeBytes: number; sha256: string; container: string | null; bitrateKbps: number | null; durationSec: number | null },
    at = new Date(),
  ): Promise<boolean> {
    const changed = await this.sql.run(
      `update local_files set relative_path = ?, size_bytes = ?, sha256 = ?, container = ?, bitrate_kbps = ?, duration_sec = ?, upgrade_checked_at = ?
        where id = ? and sha256 = ?`,
      [f.relativePath, f.sizeBytes, f.sha256, f.container, f.bitrateKbps, f.durationSec, at.getTime(), localFileId, oldSha256],
    );
    return changed === 1;
  }

  /** Files of the given backend that songs of these playlists have, and that `target` lacks (the upload stage's items). */
  async filesToCopy(playlistIds: readonly number[] | null, fromBackend: number, target: number): Promise<LocalFileRow[]> {
    const rows = await this.sql.all<{ id: number; song_id: number | null; backend_id: number; relative_path: string; size_bytes: number; sha256: string }>(
      `select f.id, f.song_id, f.backend_id, f.relative_path, f.size_bytes, f.sha256 from local_files f
       where f.backend_id = ?
         ${playlistIds === null ? '' : 'and f.song_id in (select ps.song_id from playlist_songs ps where ps.playlist_id in (select value from json_each(?)))'}
         and not exists (select 1 from local_files t where t.backend_id = ? and t.relative_path = f.relative_path)
       order by f.id`,
      playlistIds === null ? [fromBackend, target] : [fromBackend, JSON.stringify(playlistIds), target],
    );
    return rows.map((r) => ({ id: r.id, songId: r.song_id, backendId: r.backend_id, relativePath: r.relative_path, sizeBytes: r.size_bytes, sha256: r.sha256 }));
  }

  async localFile(id: number): Promise<LocalFileRow | null> {
    const [r] = await this.sql.all<{ id: number; song_id: number | null; backend_id: number; relative_path: string; size_bytes: number; sha256: string }>(
      `select id, song_id, backend_id, relative_path, size_bytes, sha256 from local_files where id = ?`,
      [id],
    );
    return r ? { id: r.id, songId: r.song_id, backendId: r.backend_id, relativePath: r.relative_path, sizeBytes: r.size_bytes, sha256: r.sha256 } : null;
  }
}

/** A title for an entry that has none: its file name without the extension. */
function fileTitle(location: string): string {
  const last = decodeURIComponentSafe(location.split(/[/\\]/).pop() ?? location);
  return last.replace(/\.[^.]+$/, '') || location;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
