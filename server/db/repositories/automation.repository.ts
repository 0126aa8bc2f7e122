import type { EntityManager } from '@mikro-orm/sqlite';
import type { WatchOrigin } from '../entities/automation.entity.js';
import { nameKey } from '../../domain/automation/albums.js';
import { statementsOf, type Statements } from '../statements.js';

export interface WatchedArtistView {
  readonly id: number;
  readonly name: string;
  readonly mbid: string | null;
  readonly origin: WatchOrigin;
  readonly addedAt: Date;
  readonly checkedAt: Date | null;
  readonly discographyAt: Date | null;
  readonly lastError: string | null;
  /** Albums the Discography daemon found missing. */
  readonly missingAlbums: number;
}

export interface MissingAlbumView {
  readonly id: number;
  readonly artistId: number;
  readonly artistName: string;
  readonly releaseGroupMbid: string;
  readonly title: string;
  readonly primaryType: string | null;
  readonly firstReleaseDate: string | null;
  readonly foundAt: Date;
}

interface ArtistRow {
  id: number;
  name: string;
  mbid: string | null;
  origin: WatchOrigin;
  added_at: number;
  checked_at: number | null;
  discography_at: number | null;
  last_error: string | null;
  missing: number;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const ARTIST_SELECT = `select a.id, a.name, a.mbid, a.origin, a.added_at, a.checked_at, a.discography_at, a.last_error,
  (select count(*) from missing_albums m where m.artist_id = a.id) as missing from watched_artists a`;
const artistView = (r: ArtistRow): WatchedArtistView => ({
  id: r.id,
  name: r.name,
  mbid: r.mbid,
  origin: r.origin,
  addedAt: new Date(r.added_at),
  checkedAt: date(r.checked_at),
  discographyAt: date(r.discography_at),
  lastError: r.last_error,
  missingAlbums: r.missing,
});
const clip = (s: string | null): string | null => (s === null ? null : s.slice(0, 500));

/** Watched artists and the albums missing from the library; each change is one statement (or one transaction). */
export class AutomationRepository {
  private readonly sql: Statements;

  constructor(em: EntityManager) {
    this.sql = statementsOf(em.getConnection().getKnex());
  }

  /** Watches an artist; null when it is watched already (by any spelling of its name). */
  async watch(name: string, origin: WatchOrigin, now = new Date()): Promise<WatchedArtistView | null> {
    const [row] = await this.sql.all<{ id: number }>(
      `insert into watched_artists (name, name_key, mbid, origin, added_at, checked_at, discography_at, last_error)
       values (?, ?, null, ?, ?, null, null, null) on conflict (name_key) do nothing returning id`,
      [name.trim(), nameKey(name), origin, now.getTime()],
    );
    return row ? ((await this.artists([row.id]))[0] ?? null) : null;
  }

  /** Watches every artist followed on Spotify not watched yet (one statement); how many were added. */
  async watchFollowed(now = new Date()): Promise<number> {
    const names = await this.sql.all<{ name: string }>(`select name from followed_artists`);
    if (names.length === 0) return 0;
    return this.sql.run(
      `insert into watched_artists (name, name_key, mbid, origin, added_at, checked_at, discography_at, last_error)
       select value ->> 'name', value ->> 'key', null, 'spotify', ?, null, null, null from json_each(?) where true
       on conflict (name_key) do nothing`,
      [now.getTime(), JSON.stringify(names.map((n) => ({ name: n.name, key: nameKey(n.name) })))],
    );
  }

  async unwatch(id: number): Promise<boolean> {
    return (await this.sql.run(`delete from watched_artists where id = ?`, [id])) === 1;
  }

  /** Watched artists (all, or these ids), by name. */
  async artists(ids: readonly number[] | null = null): Promise<WatchedArtistView[]> {
    const rows = await this.sql.all<ArtistRow>(
      `${ARTIST_SELECT} ${ids === null ? '' : 'where a.id in (select value from json_each(?))'} order by a.name_key`,
      ids === null ? [] : [JSON.stringify(ids)],
    );
    return rows.map(artistView);
  }

  /** Artists whose last look (the watchlist's or the discography's) is older than `before`, never-looked-at first. */
  async due(which: 'watchlist' | 'discography', before: Date, limit: number): Promise<WatchedArtistView[]> {
    const col = which === 'watchlist' ? 'checked_at' : 'discography_at';
    const rows = await this.sql.all<ArtistRow>(`${ARTIST_SELECT} where a.${col} is null or a.${col} < ? order by a.${col} nulls first, a.id limit ?`, [before.getTime(), limit]);
    return rows.map(artistView);
  }

  async setMbid(id: number, mbid: string): Promise<void> {
    await this.sql.run(`update watched_artists set mbid = ? where id = ?`, [mbid, id]);
  }

  /** A look is done (with the error that ended it, or null). */
  async looked(which: 'watchlist' | 'discography', id: number, at: Date, error: string | null): Promise<void> {
    const col = which === 'watchlist' ? 'checked_at' : 'discography_at';
    await this.sql.run(`update watched_artists set ${col} = ?, last_error = ? where id = ?`, [at.getTime(), clip(error), id]);
  }

  /** Makes `albums` the artist's missing albums (one transaction). */
  async replaceMissing(
    artistId: number,
    albums: readonly { releaseGroupMbid: string; title: string; primaryType: string | null; firstReleaseDate: string | null }[],
    now = new Date(),
  ): Promise<number> {
    const json = JSON.stringify(albums);
    return this.sql.transaction(async (sql) => {
      await sql.run(
        `insert into missing_albums (artist_id, release_group_mbid, title, primary_type, first_release_date, found_at)
         select ?, value ->> 'releaseGroupMbid', value ->> 'title', value ->> 'primaryType', value ->> 'firstReleaseDate', ? from json_each(?) where true
         on conflict (artist_id, release_group_mbid) do update set title = excluded.title, primary_type = excluded.primary_type, first_release_date = excluded.first_release_date`,
        [artistId, now.getTime(), json],
      );
      await sql.run(`delete from missing_albums where artist_id = ? and release_group_mbid not in (select value ->> 'releaseGroupMbid' from json_each(?))`, [artistId, json]);
      return albums.length;
    });
  }

  /** Missing albums, newest first. */
  async missingAlbums(first: number): Promise<MissingAlbumView[]> {
    const rows = await this.sql.all<{
      id: number;
      artist_id: number;
      artist_name: string;
      release_group_mbid: string;
      title: string;
      primary_type: string | null;
      first_release_date: string | null;
      found_at: number;
    }>(
      `select m.id, m.artist_id, a.name as artist_name, m.release_group_mbid, m.title, m.primary_type, m.first_release_date, m.found_at
       from missing_albums m join watched_artists a on a.id = m.artist_id order by m.first_release_date desc nulls last, m.title limit ?`,
      [first],
    );
    return rows.map((r) => ({
      id: r.id,
      artistId: r.artist_id,
      artistName: r.artist_name,
      releaseGroupMbid: r.release_group_mbid,
      title: r.title,
      primaryType: r.primary_type,
      firstReleaseDate: r.first_release_date,
      foundAt: new Date(r.found_at),
    }));
  }

  /** The artist and album tags of every song in the library (the discography's comparison). */
  async libraryAlbums(): Promise<{ artist: string | null; album: string | null }[]> {
    return this.sql.all<{ artist: string | null; album: string | null }>(
      `select distinct s.artist, s.album from songs s where s.album is not null and exists (select 1 from local_files f where f.song_id = s.id)`,
    );
  }

  async counts(): Promise<{ watched: number; missing: number }> {
    const [r] = await this.sql.all<{ watched: number; missing: number }>(`select (select count(*) from watched_artists) as watched, (select count(*) from missing_albums) as missing`);
    return r ?? { watched: 0, missing: 0 };
  }
}
