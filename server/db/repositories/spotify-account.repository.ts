import type { EntityManager } from '@mikro-orm/sqlite';
import { statementsOf, type Statements } from '../statements.js';

/** The linked Spotify account as stored: the tokens are sealed (see SpotifyConnection). */
export interface StoredSpotifyAccount {
  readonly spotifyUserId: string;
  readonly displayName: string | null;
  readonly scopes: readonly string[];
  readonly accessTokenSealed: string;
  readonly refreshTokenSealed: string;
  readonly expiresAt: Date;
  readonly connectedAt: Date;
  readonly refreshedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastError: string | null;
}

interface Row {
  spotify_user_id: string;
  display_name: string | null;
  scope: string;
  access_token: string;
  refresh_token: string;
  expires_at: number;
  connected_at: number;
  refreshed_at: number | null;
  revoked_at: number | null;
  last_error: string | null;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const clip = (s: string): string => (s.length > 500 ? `${s.slice(0, 499)}…` : s);

/**
 * The one Spotify account row (id 1). Each change is one statement; those that follow a token
 * refresh are conditional on the refresh token they started from, so a disconnect or a newer
 * connect in the meantime is never overwritten.
 */
export class SpotifyAccountRepository {
  private readonly sql: Statements;

  constructor(em: EntityManager) {
    this.sql = statementsOf(em.getConnection().getKnex());
  }

  async get(): Promise<StoredSpotifyAccount | null> {
    const [row] = await this.sql.all<Row>(
      `select spotify_user_id, display_name, scope, access_token, refresh_token, expires_at, connected_at, refreshed_at, revoked_at, last_error
         from spotify_accounts where id = 1`,
    );
    if (!row) return null;
    return {
      spotifyUserId: row.spotify_user_id,
      displayName: row.display_name,
      scopes: row.scope.split(' ').filter(Boolean),
      accessTokenSealed: row.access_token,
      refreshTokenSealed: row.refresh_token,
      expiresAt: new Date(row.expires_at),
      connectedAt: new Date(row.connected_at),
      refreshedAt: date(row.refreshed_at),
      revokedAt: date(row.revoked_at),
      lastError: row.last_error,
    };
  }

  /** Links an account, replacing any linked before. */
  async connect(a: {
    spotifyUserId: string;
    displayName: string | null;
    scopes: readonly string[];
    accessTokenSealed: string;
    refreshTokenSealed: string;
    expiresAt: Date;
    at: Date;
  }): Promise<void> {
    await this.sql.run(
      `insert into spotify_accounts (id, spotify_user_id, display_name, scope, access_token, refresh_token, expires_at, connected_at, refreshed_at, revoked_at, last_error)
       values (1, ?, ?, ?, ?, ?, ?, ?, null, null, null)
       on conflict (id) do update set spotify_user_id = excluded.spotify_user_id, display_name = excluded.display_name,
         scope = excluded.scope, access_token = excluded.access_token, refresh_token = excluded.refresh_token,
         expires_at = excluded.expires_at, connected_at = excluded.connected_at, refreshed_at = null, revoked_at = null, last_error = null`,
      [a.spotifyUserId, a.displayName, a.scopes.join(' '), a.accessTokenSealed, a.refreshTokenSealed, a.expiresAt.getTime(), a.at.getTime()],
    );
  }

  /** Stores refreshed tokens if the account still holds the refresh token they came from. */
  async refreshed(from: string, a: { accessTokenSealed: string; refreshTokenSealed: string; expiresAt: Date; scopes: readonly string[]; at: Date }): Promise<boolean> {
    const changed = await this.sql.run(
      `update spotify_accounts set access_token = ?, refresh_token = ?, expires_at = ?, scope = ?, refreshed_at = ?, last_error = null
        where id = 1 and refresh_token = ? and revoked_at is null`,
      [a.accessTokenSealed, a.refreshTokenSealed, a.expiresAt.getTime(), a.scopes.join(' '), a.at.getTime(), from],
    );
    return changed === 1;
  }

  /** Spotify refused the refresh token: the account stays, marked, until it is connected again. */
  async revoked(from: string, error: string, at: Date): Promise<boolean> {
    const changed = await this.sql.run(`update spotify_accounts set revoked_at = ?, last_error = ? where id = 1 and refresh_token = ? and revoked_at is null`, [
      at.getTime(),
      clip(error),
      from,
    ]);
    return changed === 1;
  }

  /** A refresh that failed for another reason (network, 5xx): kept as the last error. */
  async failed(from: string, error: string): Promise<boolean> {
    const changed = await this.sql.run(`update spotify_accounts set last_error = ? where id = 1 and refresh_token = ?`, [clip(error), from]);
    return changed === 1;
  }

  async remove(): Promise<boolean> {
    return (await this.sql.run(`delete from spotify_accounts where id = 1`)) === 1;
  }
}
