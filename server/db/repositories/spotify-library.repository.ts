import type { EntityManager } from '@mikro-orm/sqlite';
import { statementsOf, type Statements } from '../statements.js';

export interface FollowedArtistInput {
  spotifyId: string;
  name: string;
  genres: string | null;
  followers: number | null;
}

export interface SavedAlbumInput {
  spotifyId: string;
  name: string;
  artist: string | null;
  releaseDate: string | null;
  totalTracks: number | null;
  upc: string | null;
  /** Wall-clock ms. */
  addedAt: number | null;
}

/** Followed artists and saved albums as Spotify last listed them: each list replaced as a whole. */
export class SpotifyLibraryRepository {
  private readonly sql: Statements;

  constructor(em: EntityManager) {
    this.sql = statementsOf(em.getConnection().getKnex());
  }

  /** Makes `rows` the followed artists (one transaction); returns how many there are. */
  async replaceArtists(rows: readonly FollowedArtistInput[], now = new Date()): Promise<number> {
    const json = JSON.stringify(rows);
    return this.sql.transaction(async (sql) => {
      await sql.run(
        `insert into followed_artists (spotify_id, name, genres, followers, synced_at)
         select value ->> 'spotifyId', value ->> 'name', value ->> 'genres', value ->> 'followers', ? from json_each(?) where true
         on conflict (spotify_id) do update set name = excluded.name, genres = excluded.genres, followers = excluded.followers, synced_at = excluded.synced_at`,
        [now.getTime(), json],
      );
      await sql.run(`delete from followed_artists where spotify_id not in (select value ->> 'spotifyId' from json_each(?))`, [json]);
      return rows.length;
    });
  }

  /** Makes `rows` the saved albums (one transaction); returns how many there are. */
  async replaceAlbums(rows: readonly SavedAlbumInput[], now = new Date()): Promise<number> {
    const json = JSON.stringify(rows);
    return this.sql.transaction(async (sql) => {
      await sql.run(
        `insert into saved_albums (spotify_id, name, artist, release_date, total_tracks, upc, added_at, synced_at)
         select value ->> 'spotifyId', value ->> 'name', value ->> 'artist', value ->> 'releaseDate', value ->> 'totalTracks',
                value ->> 'upc', value ->> 'addedAt', ? from json_each(?) where true
         on conflict (spotify_id) do update set name = excluded.name, artist = excluded.artist, release_date = excluded.release_date,
           total_tracks = excluded.total_tracks, upc = excluded.upc, added_at = excluded.added_at, synced_at = excluded.synced_at`,
        [now.getTime(), json],
      );
      await sql.run(`delete from saved_albums where spotify_id not in (select value ->> 'spotifyId' from json_each(?))`, [json]);
      return rows.length;
    });
  }

  async counts(): Promise<{ artists: number; albums: number }> {
    const [row] = await this.sql.all<{ artists: number; albums: number }>(
      `select (select count(*) from followed_artists) as artists, (select count(*) from saved_albums) as albums`,
    );
    return row ?? { artists: 0, albums: 0 };
  }

  /** Forgets both lists (Spotify disconnected). */
  async clear(): Promise<void> {
    await this.sql.transaction(async (sql) => {
      await sql.run(`delete from followed_artists`);
      await sql.run(`delete from saved_albums`);
    });
  }
}
