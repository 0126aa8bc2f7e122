import type { EntityManager } from '@mikro-orm/sqlite';
import { statementsOf, type Statements } from '../statements.js';

export interface NewReleaseInput {
  externalId: string;
  title: string;
  artist: string | null;
  releaseDate: string | null;
  recordType: string | null;
  link: string | null;
  coverUrl: string | null;
}

export interface NewReleaseView extends NewReleaseInput {
  source: string;
  fetchedAt: Date;
}

/** The new-releases cache: the current list of each source, replaced as a whole. */
export class ReleaseRepository {
  private readonly sql: Statements;

  constructor(em: EntityManager) {
    this.sql = statementsOf(em.getConnection().getKnex());
  }

  /** Makes `rows` the source's current list (one transaction); returns how many it holds. */
  async replace(source: string, rows: readonly NewReleaseInput[], now = new Date()): Promise<number> {
    const json = JSON.stringify(rows);
    return this.sql.transaction(async (sql) => {
      await sql.run(
        `insert into new_releases (source, external_id, title, artist, release_date, record_type, link, cover_url, fetched_at)
         select ?, value ->> 'externalId', value ->> 'title', value ->> 'artist', value ->> 'releaseDate', value ->> 'recordType',
                value ->> 'link', value ->> 'coverUrl', ? from json_each(?) where true
         on conflict (source, external_id) do update set title = excluded.title, artist = excluded.artist, release_date = excluded.release_date,
           record_type = excluded.record_type, link = excluded.link, cover_url = excluded.cover_url, fetched_at = excluded.fetched_at`,
        [source, now.getTime(), json],
      );
      await sql.run(`delete from new_releases where source = ? and external_id not in (select value ->> 'externalId' from json_each(?))`, [source, json]);
      return rows.length;
    });
  }

  /** The newest first (by release date, then title), at most `first`. */
  async list(first: number): Promise<NewReleaseView[]> {
    const rows = await this.sql.all<{
      source: string;
      external_id: string;
      title: string;
      artist: string | null;
      release_date: string | null;
      record_type: string | null;
      link: string | null;
      cover_url: string | null;
      fetched_at: number;
    }>(
      `select source, external_id, title, artist, release_date, record_type, link, cover_url, fetched_at from new_releases
       order by release_date desc nulls last, title limit ?`,
      [first],
    );
    return rows.map((r) => ({
      source: r.source,
      externalId: r.external_id,
      title: r.title,
      artist: r.artist,
      releaseDate: r.release_date,
      recordType: r.record_type,
      link: r.link,
      coverUrl: r.cover_url,
      fetchedAt: new Date(r.fetched_at),
    }));
  }
}
