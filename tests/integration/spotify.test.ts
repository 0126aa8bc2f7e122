import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeUrl, challengeOf, makeState, makeVerifier, ROADIE_SPOTIFY_SCOPES } from '../../server/domain/spotify/pkce.js';
import { SpotifyApiClient, SpotifyAuthClient, SpotifyError, type SpotifyApiClientOptions, type SpotifyErrorCode } from '../../server/integrations/spotify.js';
import { FakeSpotify, type FakeEntry } from '../fakes/spotify.js';

let fake: FakeSpotify;
let token: string;
const REDIRECT = 'http://127.0.0.1:8080/api/spotify/callback';

beforeAll(async () => {
  fake = await new FakeSpotify().start();
  const entries: FakeEntry[] = [];
  for (let i = 0; i < 230; i++) entries.push(fake.track(`Song ${i}`, `Band ${i % 3}`));
  entries.splice(5, 0, null, { episode: 'A podcast' }, { local: 'home-demo.mp3' });
  fake.addPlaylist('Big', entries);
  for (let i = 0; i < 120; i++) fake.addPlaylist(`Mix ${i}`, [fake.track(`Only ${i}`)]);
  for (let i = 0; i < 75; i++) fake.liked.push({ added_at: `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, track: fake.track(`Liked ${i}`) });
  for (let i = 0; i < 55; i++) fake.savedAlbums.push({ added_at: '2024-02-02T00:00:00Z', album: fake.album(`Saved ${i}`) });
  for (let i = 0; i < 123; i++) fake.followed.push({ id: `artist${String(i).padStart(4, '0')}`, name: `Artist ${i}`, genres: ['rock'] });
  for (let i = 0; i < 60; i++) fake.newReleases.push(fake.album(`New ${i}`));
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reset();
  token = fake.issueTokens().accessToken;
});

const auth = (): SpotifyAuthClient => new SpotifyAuthClient({ accountsBaseUrl: fake.url, clientId: fake.clientId, timeoutMs: 2000 });
function api(o: Partial<SpotifyApiClientOptions> = {}): { client: SpotifyApiClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const client = new SpotifyApiClient({
    apiBaseUrl: `${fake.url}/v1`,
    accessToken: () => token,
    timeoutMs: 2000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...o,
  });
  return { client, sleeps };
}

async function expectCode(p: Promise<unknown>, code: SpotifyErrorCode, status: number | null): Promise<SpotifyError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpotifyError);
  const e = err as SpotifyError;
  expect({ code: e.code, status: e.status }).toEqual({ code, status });
  return e;
}

/** Runs the browser half of the connect flow against the fake: returns the code the callback gets. */
async function authorize(challenge: string, state: string): Promise<string> {
  const url = authorizeUrl({ accountsBaseUrl: fake.url, clientId: fake.clientId, redirectUri: REDIRECT, scopes: ROADIE_SPOTIFY_SCOPES, state, challenge });
  const res = await request(url, { method: 'GET' });
  await res.body.dump();
  expect(res.statusCode).toBe(302);
  const back = new URL(String(res.headers.location));
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get('state')).toBe(state);
  return back.searchParams.get('code')!;
}

describe('SpotifyAuthClient: Authorization Code with PKCE', () => {
  it('exchanges the code with the verifier (form-encoded, client_id, no secret) and refreshes', async () => {
    const verifier = makeVerifier();
    const code = await authorize(challengeOf(verifier), makeState());
    const before = Date.now();
    const t = await auth().exchangeCode(code, verifier, REDIRECT);
    expect(t.accessToken).toMatch(/^at-/);
    expect(t.refreshToken).toMatch(/^rt-/);
    expect(t.refreshTokenRotated).toBe(true);
    expect(t.scope).toEqual([...ROADIE_SPOTIFY_SCOPES]);
    expect(t.expiresAt).toBeGreaterThanOrEqual(before + 3600_000);
    expect(t.expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000);
    const tokenReq = fake.requests.find((r) => r.path === '/api/token')!;
    expect(tokenReq.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(tokenReq.form!)).toEqual({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: fake.clientId });
    expect(tokenReq.authorization).toBeUndefined();

    const r = await auth().refresh(t.refreshToken);
    expect(r.refreshToken).not.toBe(t.refreshToken);
    expect(r.refreshTokenRotated).toBe(true);
    expect(Object.fromEntries(fake.requests.at(-1)!.form!)).toEqual({ grant_type: 'refresh_token', refresh_token: t.refreshToken, client_id: fake.clientId });
    // the API accepts the new access token
    token = r.accessToken;
    expect((await api().client.me()).id).toBe('roadie-user');
  });

  it('keeps the old refresh token when Spotify sends none', async () => {
    fake.rotateRefreshTokens = false;
    const { refreshToken } = fake.issueTokens();
    const r = await auth().refresh(refreshToken);
    expect(r.refreshToken).toBe(refreshToken);
    expect(r.refreshTokenRotated).toBe(false);
  });

  it('refuses a wrong verifier, a wrong redirect URI and a used code (invalid_grant → bad_request)', async () => {
    const verifier = makeVerifier();
    const code = await authorize(challengeOf(verifier), 's');
    const e = await expectCode(auth().exchangeCode(code, makeVerifier(), REDIRECT), 'bad_request', 400);
    expect(e.oauthError).toBe('invalid_grant');
    expect(e.message).toContain('code_verifier was incorrect');
    await expectCode(auth().exchangeCode(code, verifier, 'http://127.0.0.1:9/other'), 'bad_request', 400);
    await auth().exchangeCode(code, verifier, REDIRECT);
    await expectCode(auth().exchangeCode(code, verifier, REDIRECT), 'bad_request', 400);
  });

  it('reports a revoked refresh token as revoked, with the documented description', async () => {
    const { refreshToken } = fake.issueTokens();
    fake.revoke(refreshToken);
    const e = await expectCode(auth().refresh(refreshToken), 'revoked', 400);
    expect(e.oauthError).toBe('invalid_grant');
    expect(e.message).toContain('Refresh token revoked');
    expect(e.retryable).toBe(false);
    await expectCode(auth().refresh(''), 'revoked', null);
  });

  it('maps invalid_client, 429, 5xx, malformed and slow token answers', async () => {
    const { refreshToken } = fake.issueTokens();
    await expectCode(new SpotifyAuthClient({ accountsBaseUrl: fake.url, clientId: 'nope' }).refresh(refreshToken), 'invalid_client', 400);
    fake.script = [{ status: 429, retryAfter: '12' }];
    expect((await expectCode(auth().refresh(refreshToken), 'rate_limited', 429)).retryAfterMs).toBe(12_000);
    fake.script = [{ status: 503 }];
    expect((await expectCode(auth().refresh(refreshToken), 'server_error', 503)).retryable).toBe(true);
    fake.script = [{ malformed: true }];
    await expectCode(auth().refresh(refreshToken), 'malformed_response', 200);
    fake.script = [{ wrongShape: true }];
    await expectCode(auth().refresh(refreshToken), 'malformed_response', 200);
    fake.script = [{ delayMs: 1000 }];
    await expectCode(new SpotifyAuthClient({ accountsBaseUrl: fake.url, clientId: fake.clientId, timeoutMs: 100 }).refresh(refreshToken), 'timeout', null);
  });
});

describe('SpotifyApiClient: reading', () => {
  it('reads the profile with the bearer token', async () => {
    expect(await api().client.me()).toEqual({ id: 'roadie-user', displayName: 'Roadie User', email: 'user@example.test', country: 'DE', product: 'premium', externalUrl: 'https://open.spotify.com/user/roadie-user' });
    expect(fake.requests[0]!.authorization).toBe(`Bearer ${token}`);
    expect(fake.requests[0]!.path).toBe('/v1/me');
  });

  it('pages through every playlist following next', async () => {
    const r = await api().client.playlists();
    expect(r.total).toBe(121);
    expect(r.items).toHaveLength(121);
    expect(r.truncated).toBe(false);
    expect(r.items[0]).toMatchObject({ name: 'Big', ownerId: 'roadie-user', ownerName: 'Roadie User', trackCount: 233, collaborative: false });
    expect(new Set(r.items.map((p) => p.id)).size).toBe(121);
    expect(fake.requests.map((q) => q.query.get('offset'))).toEqual(['0', '50', '100']);
    expect(fake.requests.every((q) => q.query.get('limit') === '50')).toBe(true);
  });

  it('reads every playlist track with ISRC, album and URL; skips removed tracks and episodes, keeps local files', async () => {
    const big = fake.playlists[0]!;
    const r = await api().client.playlistTracks(big.id);
    expect(r.total).toBe(233);
    expect(r.items).toHaveLength(231);
    expect(fake.requests.map((q) => [q.path, q.query.get('offset'), q.query.get('limit')])).toEqual([
      [`/v1/playlists/${big.id}/tracks`, '0', '100'],
      [`/v1/playlists/${big.id}/tracks`, '100', '100'],
      [`/v1/playlists/${big.id}/tracks`, '200', '100'],
    ]);
    const first = r.items[0]!;
    expect(first).toMatchObject({ name: 'Song 0', artists: [{ name: 'Band 0' }], album: { name: 'Album', releaseDate: '2020-02-02' }, isLocal: false, addedAt: '2024-05-01T10:00:00Z' });
    expect(first.isrc).toMatch(/^DEX\d{9}$/);
    expect(first.externalUrl).toBe(`https://open.spotify.com/track/${first.id}`);
    expect(first.durationMs).toBeGreaterThan(200_000);
    expect(r.items.find((t) => t.isLocal)).toMatchObject({ id: null, name: 'home-demo.mp3', isrc: null });
  });

  it('reads playlist entries from the /items endpoint too', async () => {
    const r = await api({ playlistItemsPath: 'items' }).client.playlistTracks(fake.playlists[0]!.id);
    expect(r.items).toHaveLength(231);
    expect(fake.requests).toHaveLength(5);
    expect(fake.requests[0]!.path).toMatch(/\/items$/);
  });

  it('reads liked songs, saved albums and new releases in full', async () => {
    const c = api().client;
    const liked = await c.likedTracks();
    expect(liked.items).toHaveLength(75);
    expect(liked.items[74]!.name).toBe('Liked 74');
    const albums = await c.savedAlbums();
    expect(albums.items).toHaveLength(55);
    expect(albums.items[0]).toMatchObject({ name: 'Saved 0', albumType: 'album', totalTracks: 10, releaseDate: '2025-01-10', addedAt: '2024-02-02T00:00:00Z' });
    expect(albums.items[0]!.upc).toMatch(/^0000/);
    const fresh = await c.newReleases({ country: 'de' });
    expect(fresh.items).toHaveLength(60);
    expect(fake.requests.filter((q) => q.path === '/v1/browse/new-releases').every((q) => q.query.get('country') === 'DE')).toBe(true);
  });

  it('follows the cursor of followed artists to the end', async () => {
    const r = await api().client.followedArtists();
    expect(r.items).toHaveLength(123);
    expect(r.total).toBe(123);
    expect(r.items.at(-1)).toMatchObject({ id: 'artist0122', name: 'Artist 122', genres: ['rock'], followers: 1000 });
    expect(fake.requests.map((q) => q.query.get('after'))).toEqual([null, 'artist0049', 'artist0099']);
    expect(fake.requests.every((q) => q.query.get('type') === 'artist')).toBe(true);
  });

  it('stops at the safety cap and says so', async () => {
    const r = await api().client.playlists({ maxItems: 60 });
    expect(r).toMatchObject({ total: 121, truncated: true });
    expect(r.items).toHaveLength(60);
    expect(fake.requests).toHaveLength(2);
  });

  it('refuses a bad playlist id without asking', async () => {
    await expectCode(api().client.playlistTracks('../me'), 'bad_request', null);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('SpotifyApiClient: failures', () => {
  it('401 for an expired token is unauthorized, with Spotify’s message', async () => {
    fake.expire(token);
    const e = await expectCode(api().client.playlists(), 'unauthorized', 401);
    expect(e.message).toContain('The access token expired');
    token = 'unknown';
    await expectCode(api().client.me(), 'unauthorized', 401);
  });

  it('asks the provider for the token on every request', async () => {
    const tokens = [token, 'stale'];
    let calls = 0;
    const c = api({ accessToken: () => tokens[Math.min(calls++, 1)]! }).client;
    await c.me();
    await expectCode(c.me(), 'unauthorized', 401);
    expect(calls).toBe(2);
  });

  it('403 is forbidden, 404 not_found', async () => {
    fake.script = [{ status: 403 }];
    await expectCode(api().client.likedTracks(), 'forbidden', 403);
    await expectCode(api().client.playlistTracks('doesnotexist'), 'not_found', 404);
  });

  it('429 with Retry-After: waits what it says and carries on mid-pagination', async () => {
    fake.script = [{ delayMs: 0 }, { status: 429, retryAfter: '3' }];
    const { client, sleeps } = api();
    const r = await client.playlists();
    expect(r.items).toHaveLength(121);
    expect(sleeps).toEqual([3000]);
    expect(fake.requests.map((q) => q.query.get('offset'))).toEqual(['0', '50', '50', '100']);
  });

  it('429 with a long Retry-After fails at once with retryAfterMs for the daemon', async () => {
    fake.script = [{ status: 429, retryAfter: '120' }];
    const { client, sleeps } = api();
    const e = await expectCode(client.likedTracks(), 'rate_limited', 429);
    expect(e.retryAfterMs).toBe(120_000);
    expect(e.retryable).toBe(true);
    expect(sleeps).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('429 without Retry-After: doubling backoff, then rate_limited with retryAfterMs null', async () => {
    fake.script = [{ status: 429 }, { status: 429 }, { status: 429 }];
    const { client, sleeps } = api({ backoffBaseMs: 500 });
    const e = await expectCode(client.savedAlbums(), 'rate_limited', 429);
    expect(e.retryAfterMs).toBeNull();
    expect(sleeps).toEqual([500, 1000]);
    expect(fake.requests).toHaveLength(3);
    fake.script = [{ status: 429 }];
    expect((await client.savedAlbums()).items).toHaveLength(55);
  });

  it('5xx are retried, then server_error', async () => {
    fake.script = [{ status: 502 }];
    expect((await api().client.me()).id).toBe('roadie-user');
    fake.script = [{ status: 500 }, { status: 503 }, { status: 500, body: 'upstream broke' }];
    const e = await expectCode(api().client.me(), 'server_error', 500);
    expect(e.message).toContain('upstream broke');
  });

  it('malformed JSON and a wrong shape are malformed_response', async () => {
    fake.script = [{ malformed: true }];
    await expectCode(api().client.playlists(), 'malformed_response', 200);
    fake.script = [{ wrongShape: true }];
    const e = await expectCode(api().client.playlists(), 'malformed_response', 200);
    expect(e.message).toMatch(/items/);
  });

  it('a slow answer is a timeout; the caller’s signal aborts', async () => {
    fake.script = [{ delayMs: 1500 }];
    await expectCode(api({ timeoutMs: 150 }).client.me(), 'timeout', null);
    const ac = new AbortController();
    ac.abort();
    await expectCode(api().client.me({ signal: ac.signal }), 'aborted', null);
  });

  it('never follows next to another host', async () => {
    fake.nextOrigin = 'http://evil.example:9';
    const e = await expectCode(api().client.playlists(), 'malformed_response', 200);
    expect(e.message).toContain('another host');
    expect(fake.requests).toHaveLength(1);
  });
});
