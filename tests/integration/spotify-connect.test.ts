import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { isSealed } from '../../server/domain/spotify/secret-box.js';
import { FakeSpotify } from '../fakes/spotify.js';
import { appPerTest, gql, type TestApp } from '../helpers/app.js';
import { EventCollector } from '../helpers/events.js';
import { controlOk, getWorker } from '../helpers/graphql.js';
import { browserRoundTrip, connect, connectSpotify, spotifyEnv } from '../helpers/spotify.js';
import { waitFor } from '../helpers/jobs.js';

const apps = appPerTest();
let fake: FakeSpotify;
beforeAll(async () => {
  fake = await new FakeSpotify().start();
});
afterAll(async () => {
  await fake.stop();
});

const env = (): Record<string, string> => spotifyEnv(fake);

const ACCOUNT_FIELDS = 'state missing redirectUri userId displayName scopes expiresAt connectedAt refreshedAt revokedAt lastError';
interface AccountData {
  state: string;
  missing: string[];
  redirectUri: string;
  userId: string | null;
  displayName: string | null;
  scopes: string[];
  expiresAt: string | null;
  connectedAt: string | null;
  refreshedAt: string | null;
  revokedAt: string | null;
  lastError: string | null;
}
const account = async (url: string): Promise<AccountData> => (await gql<{ spotify: AccountData }>(url, `{ spotify { ${ACCOUNT_FIELDS} } }`)).spotify;

const storedTokens = async (t: TestApp): Promise<{ access_token: string; refresh_token: string }[]> =>
  t.app.orm.em.getConnection().execute<{ access_token: string; refresh_token: string }[]>('select access_token, refresh_token from spotify_accounts');

const tokenRequests = (grant: string): number => fake.requests.filter((r) => r.path === '/api/token' && r.form?.get('grant_type') === grant).length;

describe('Spotify connect flow (Authorization Code with PKCE)', () => {
  it('links the account: authorize URL with an S256 challenge, callback, sealed tokens, a live view; a state works once', async () => {
    fake.reset();
    const t = await apps.start({ env: env() });
    expect(await account(t.url)).toMatchObject({ state: 'DISCONNECTED', missing: [], redirectUri: `${t.url}/api/spotify/callback` });

    const client = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    onTestFinished(() => client.dispose());
    const events = new EventCollector<{ spotifyChanged: AccountData }>('spotifyChanged');
    onTestFinished(
      client.subscribe<{ spotifyChanged: AccountData }>(
        { query: `subscription { spotifyChanged { ${ACCOUNT_FIELDS} } }` },
        { next: (r) => events.push(r.data as { spotifyChanged: AccountData }), error: (e) => events.end(new Error(JSON.stringify(e))), complete: () => events.end() },
      ),
    );
    await events.next((e) => e.spotifyChanged.state === 'DISCONNECTED', 3000, 'the snapshot');

    const c = await connectSpotify(t.url);
    if (c.__typename !== 'SpotifyAuthorization') throw new Error(c.message);
    const authorize = new URL(c.authorizeUrl);
    expect(authorize.origin + authorize.pathname).toBe(`${fake.url}/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: fake.clientId,
      response_type: 'code',
      redirect_uri: `${t.url}/api/spotify/callback`,
      code_challenge_method: 'S256',
    });
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['playlist-read-private', 'user-library-read', 'user-follow-read']));

    const { callback, landing } = await browserRoundTrip(c.authorizeUrl);
    expect(landing.pathname + landing.search + landing.hash).toBe('/?spotify=connected#/settings');
    // the fake checked the verifier against the challenge and the redirect URI against the authorized one
    const exchange = fake.requests.find((r) => r.path === '/api/token' && r.form?.get('grant_type') === 'authorization_code');
    expect(exchange?.form?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);

    const linked = await account(t.url);
    expect(linked).toMatchObject({ state: 'CONNECTED', userId: 'roadie-user', displayName: 'Roadie User', lastError: null, revokedAt: null });
    expect(linked.scopes).toContain('playlist-read-private');
    expect(Date.parse(linked.expiresAt as string)).toBeGreaterThan(Date.now() + 50 * 60_000);
    await events.next((e) => e.spotifyChanged.state === 'CONNECTED', 3000, 'CONNECTED live');

    // at rest, both tokens are sealed: nothing of the tokens the fake issued is readable
    const [row] = await storedTokens(t);
    expect(isSealed(row!.refresh_token) && isSealed(row!.access_token)).toBe(true);
    expect(row!.refresh_token).not.toMatch(/rt-/);
    expect(row!.access_token).not.toMatch(/at-/);

    // the same callback again (a reload, or a replay): the state is used up
    const replay = await fetch(callback, { redirect: 'manual' });
    const again = new URL(replay.headers.get('location') as string, t.url);
    expect(again.searchParams.get('spotify')).toBe('error');
    expect(again.searchParams.get('code')).toBe('unknown_state');
    expect((await account(t.url)).state).toBe('CONNECTED');

    // the services panel: with the account linked, Spotify is up when /me answers with its token
    await waitFor(
      () => gql<{ services: { name: string; state: string }[] }>(t.url, '{ services { name state } }'),
      (d) => d.services.find((s) => s.name === 'spotify')?.state === 'UP',
      'spotify UP',
    );
    expect(fake.requests.some((r) => r.path === '/v1/me' && /^Bearer at-/.test(r.authorization ?? ''))).toBe(true);

    const gone = (await gql<{ disconnectSpotify: AccountData }>(t.url, `mutation { disconnectSpotify { ${ACCOUNT_FIELDS} } }`)).disconnectSpotify;
    expect(gone).toMatchObject({ state: 'DISCONNECTED', userId: null, expiresAt: null });
    expect(await storedTokens(t)).toEqual([]);
    await events.next((e) => e.spotifyChanged.state === 'DISCONNECTED', 3000, 'DISCONNECTED live');
  });

  it('a refused or unknown round trip changes nothing and says why on the settings page', async () => {
    fake.reset();
    const t = await apps.start({ env: env() });
    const c = await connectSpotify(t.url);
    if (c.__typename !== 'SpotifyAuthorization') throw new Error(c.message);
    const state = new URL(c.authorizeUrl).searchParams.get('state') as string;
    const cases: [string, string][] = [
      [`?error=access_denied&state=${encodeURIComponent(state)}`, 'denied'],
      [`?code=whatever&state=${encodeURIComponent(state)}`, 'unknown_state'], // used by the denial above
      ['?code=whatever&state=made-up', 'unknown_state'],
      ['?code=whatever', 'unknown_state'],
    ];
    for (const [query, code] of cases) {
      const res = await fetch(`${t.url}/api/spotify/callback${query}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      const to = new URL(res.headers.get('location') as string, t.url);
      expect([query, to.searchParams.get('spotify'), to.searchParams.get('code')]).toEqual([query, 'error', code]);
      expect(to.searchParams.get('message')).toBeTruthy();
    }
    // a code Spotify does not know: the exchange fails with its OAuth error
    const c2 = await connectSpotify(t.url);
    if (c2.__typename !== 'SpotifyAuthorization') throw new Error(c2.message);
    const s2 = new URL(c2.authorizeUrl).searchParams.get('state') as string;
    const res = await fetch(`${t.url}/api/spotify/callback?code=forged&state=${encodeURIComponent(s2)}`, { redirect: 'manual' });
    const to = new URL(res.headers.get('location') as string, t.url);
    expect(to.searchParams.get('code')).toBe('exchange_failed');
    expect(to.searchParams.get('message')).toMatch(/invalid_grant/);
    expect((await account(t.url)).state).toBe('DISCONNECTED');
  });

  it('without configuration: NOT_CONFIGURED names the variables, connect answers a typed error, Token Refresh says so', async () => {
    const t = await apps.start();
    expect(await account(t.url)).toMatchObject({ state: 'NOT_CONFIGURED', missing: ['ROADIE_SPOTIFY_CLIENT_ID', 'ROADIE_SECRET_KEY'] });
    const c = await connectSpotify(t.url);
    expect(c).toMatchObject({ __typename: 'SpotifyNotConfiguredError', missing: ['ROADIE_SPOTIFY_CLIENT_ID', 'ROADIE_SECRET_KEY'] });
    await controlOk(t.url, 'runWorkerNow', { name: 'token_refresh' });
    const w = await waitFor(() => getWorker(t.url, 'token_refresh'), (x) => /not configured/.test(x?.activity?.message ?? ''), 'the activity');
    expect(w?.activity?.message).toMatch(/ROADIE_SPOTIFY_CLIENT_ID and ROADIE_SECRET_KEY/);
    expect(w?.status).not.toBe('ERROR');
    const res = await fetch(`${t.url}/api/spotify/callback?code=x&state=y`, { redirect: 'manual' });
    expect(new URL(res.headers.get('location') as string, t.url).searchParams.get('code')).toBe('not_configured');
  });
});

describe('Token Refresh daemon', () => {
  const tokenRefresh = (url: string) => getWorker(url, 'token_refresh', '... on Worker { details { ... on TokenRefreshDetails { tokensRefreshed connected refreshThresholdMinutes } } }');

  it('refreshes a token that expires within 10 minutes, stores the rotated refresh token sealed, and leaves a fresh one alone', async () => {
    fake.reset();
    fake.expiresIn = 300; // 5 minutes: due
    try {
      const t = await apps.start({ env: env() });
      await connect(t);
      const before = await storedTokens(t);
      fake.expiresIn = 3600;
      const refreshesBefore = tokenRequests('refresh_token');
      await controlOk(t.url, 'runWorkerNow', { name: 'token_refresh' });
      const w = await waitFor(() => tokenRefresh(t.url), (x) => /Refreshed the Spotify access token/.test(x?.activity?.message ?? ''), 'a refresh');
      expect(tokenRequests('refresh_token')).toBe(refreshesBefore + 1);
      expect((w as unknown as { details: { tokensRefreshed: number; connected: boolean } }).details).toMatchObject({ tokensRefreshed: 1, connected: true });
      const after = await storedTokens(t);
      expect(after[0]!.refresh_token).not.toBe(before[0]!.refresh_token); // rotated, and stored sealed
      expect(isSealed(after[0]!.refresh_token)).toBe(true);
      const linked = await account(t.url);
      expect(linked.refreshedAt).not.toBeNull();
      expect(Date.parse(linked.expiresAt as string)).toBeGreaterThan(Date.now() + 50 * 60_000);

      // now valid for an hour: the next cycle only looks
      const runs = (await getWorker(t.url, 'token_refresh'))!.runCount;
      await controlOk(t.url, 'runWorkerNow', { name: 'token_refresh' });
      const w2 = await waitFor(() => getWorker(t.url, 'token_refresh'), (x) => (x?.runCount ?? 0) > runs && /valid until/.test(x?.activity?.message ?? ''), 'a look');
      expect(w2?.status).not.toBe('ERROR');
      expect(tokenRequests('refresh_token')).toBe(refreshesBefore + 1);
    } finally {
      fake.expiresIn = 3600;
    }
  });

  it('a revoked refresh token: status ERROR with a clear activity, the account REVOKED, Spotify DOWN; connecting again heals it', async () => {
    fake.reset();
    fake.expiresIn = 300;
    try {
      const t = await apps.start({ env: { ...env(), ROADIE_SERVICE_PROBE_INTERVAL_SECONDS: '3600' } });
      await connect(t);
      fake.revokeAll(); // the user removed Roadie at spotify.com/account/apps
      await controlOk(t.url, 'runWorkerNow', { name: 'token_refresh' });
      // the activity is throttled: its last message arrives within a few hundred ms
      const w = await waitFor(
        () => getWorker(t.url, 'token_refresh'),
        (x) => x?.status === 'ERROR' && x.activity?.message === 'Spotify access was revoked: connect Spotify again in Settings',
        'status ERROR with the activity saying so',
      );
      expect(w?.lastError).toMatch(/revoked/i);
      const revoked = await account(t.url);
      expect(revoked).toMatchObject({ state: 'REVOKED' });
      expect(revoked.lastError).toMatch(/invalid_grant/);
      // the revocation triggers a probe round at once (the interval here is an hour)
      await waitFor(
        () => gql<{ services: { name: string; state: string; lastError: string | null }[] }>(t.url, '{ services { name state lastError } }'),
        (d) => /revoked/.test(d.services.find((s) => s.name === 'spotify')?.lastError ?? ''),
        'spotify DOWN, revoked',
      ).then((d) => expect(d.services.find((s) => s.name === 'spotify')?.state).toBe('DOWN'));

      fake.expiresIn = 3600;
      await connect(t);
      expect((await account(t.url)).state).toBe('CONNECTED');
      await controlOk(t.url, 'runWorkerNow', { name: 'token_refresh' });
      const healed = await waitFor(() => getWorker(t.url, 'token_refresh'), (x) => x?.status !== 'ERROR' && /valid until/.test(x?.activity?.message ?? ''), 'healed');
      expect(healed?.lastError).toBeNull();
    } finally {
      fake.expiresIn = 3600;
    }
  });

  it('the link survives a restart: the sealed tokens open again with the same key', async () => {
    fake.reset();
    fake.expiresIn = 300;
    try {
      const t = await apps.start({ env: env() });
      await connect(t);
      const t2 = apps.track(await t.restart());
      expect((await account(t2.url)).state).toBe('CONNECTED');
      fake.expiresIn = 3600;
      await controlOk(t2.url, 'runWorkerNow', { name: 'token_refresh' });
      await waitFor(() => getWorker(t2.url, 'token_refresh'), (x) => /Refreshed the Spotify access token/.test(x?.activity?.message ?? ''), 'a refresh after the restart');
    } finally {
      fake.expiresIn = 3600;
    }
  });
});
