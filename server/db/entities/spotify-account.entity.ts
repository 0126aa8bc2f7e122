import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * The linked Spotify account (one per Roadie; its id is always 1). Both tokens are stored
 * sealed with ROADIE_SECRET_KEY (server/domain/spotify/secret-box.ts), never in plain text.
 */
export const SpotifyAccountSchema = defineEntity({
  name: 'SpotifyAccount',
  tableName: 'spotify_accounts',
  properties: (p) => ({
    id: p.integer().primary(),
    spotifyUserId: p.string().length(128),
    displayName: p.string().length(256).nullable(),
    /** Granted scopes, space separated. */
    scope: p.text(),
    /** Sealed. */
    accessToken: p.text(),
    /** Sealed. */
    refreshToken: p.text(),
    expiresAt: p.datetime(),
    connectedAt: p.datetime(),
    refreshedAt: p.datetime().nullable(),
    /** Set when Spotify refused the refresh token (the user removed Roadie's access): connect again. */
    revokedAt: p.datetime().nullable(),
    lastError: p.string().length(500).nullable(),
  }),
});
export type SpotifyAccountRow = InferEntity<typeof SpotifyAccountSchema>;
