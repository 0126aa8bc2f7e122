import { SpotifyConnectError, type SpotifyAccountView } from '../../spotify/connection.js';
import { builder, ErrorInterface } from '../builder.js';
import { snapshotThenLive } from '../live.js';

const SpotifyLinkStateEnum = builder.enumType('SpotifyLinkState', {
  description: 'NOT_CONFIGURED: the connect flow needs configuration (see missing). REVOKED: Spotify refused the stored refresh token; connect again.',
  values: ['NOT_CONFIGURED', 'DISCONNECTED', 'CONNECTED', 'REVOKED'] as const,
});

const SpotifyAccount = builder.objectRef<SpotifyAccountView>('SpotifyAccount').implement({
  description: 'The link to the Spotify account the sync reads. Tokens never leave the server.',
  fields: (t) => ({
    state: t.expose('state', { type: SpotifyLinkStateEnum }),
    missing: t.exposeStringList('missing', { description: 'Environment variables the connect flow still needs.' }),
    redirectUri: t.exposeString('redirectUri', { description: "The redirect URI to register for the app in Spotify's developer dashboard." }),
    userId: t.exposeString('userId', { nullable: true, description: 'The Spotify user id.' }),
    displayName: t.exposeString('displayName', { nullable: true }),
    scopes: t.exposeStringList('scopes', { description: 'The scopes granted.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When the current access token expires.' }),
    connectedAt: t.expose('connectedAt', { type: 'DateTime', nullable: true }),
    refreshedAt: t.expose('refreshedAt', { type: 'DateTime', nullable: true, description: 'The last token refresh.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last refresh failed.' }),
  }),
});

const SpotifyNotConfiguredError = builder.objectRef<{ message: string; missing: readonly string[] }>('SpotifyNotConfiguredError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({ missing: t.exposeStringList('missing') }),
});

const SpotifyAuthorization = builder.objectRef<{ authorizeUrl: string; redirectUri: string }>('SpotifyAuthorization').implement({
  description: "Send the browser to authorizeUrl; Spotify sends it back to redirectUri, which finishes the link and opens the SPA's settings page.",
  fields: (t) => ({
    authorizeUrl: t.exposeString('authorizeUrl'),
    redirectUri: t.exposeString('redirectUri'),
  }),
});

const ConnectSpotifyResult = builder.unionType('ConnectSpotifyResult', {
  types: [SpotifyAuthorization, SpotifyNotConfiguredError],
  resolveType: (v) => ('missing' in v ? SpotifyNotConfiguredError : SpotifyAuthorization),
});

builder.queryField('spotify', (t) => t.field({ type: SpotifyAccount, resolve: (_r, _a, ctx) => ctx.spotify.view() }));

builder.mutationFields((t) => ({
  connectSpotify: t.field({
    type: ConnectSpotifyResult,
    description: 'Starts the Authorization Code with PKCE flow (valid for 10 minutes).',
    resolve: (_r, _a, ctx) => {
      try {
        return ctx.spotify.begin();
      } catch (err) {
        if (err instanceof SpotifyConnectError && err.code === 'not_configured') return { message: err.message, missing: ctx.spotify.missing() };
        throw err;
      }
    },
  }),
  disconnectSpotify: t.field({
    type: SpotifyAccount,
    description: "Forgets the linked account and its tokens (Roadie's access stays listed at spotify.com/account/apps until removed there).",
    resolve: (_r, _a, ctx) => ctx.spotify.disconnect(),
  }),
}));

builder.subscriptionField('spotifyChanged', (t) =>
  t.field({
    type: SpotifyAccount,
    description: 'First the current link, then after each connect, refresh, revocation or disconnect.',
    subscribe: (_r, _a, ctx) => snapshotThenLive(ctx.bus.subscribe('spotify:account'), async () => [await ctx.spotify.view()]),
    resolve: (v) => v,
  }),
);
