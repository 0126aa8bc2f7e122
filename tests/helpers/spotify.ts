import { expect } from 'vitest';
import type { FakeSpotify } from '../fakes/spotify.js';
import { gql, type TestApp } from './app.js';

export const TEST_SECRET_KEY = 'a-test-secret-key-of-32-characters!!';

/** The environment that points Roadie's Spotify link at the fake. */
export const spotifyEnv = (fake: FakeSpotify): Record<string, string> => ({
  ROADIE_SPOTIFY_CLIENT_ID: fake.clientId,
  ROADIE_SPOTIFY_ACCOUNTS_URL: fake.url,
  ROADIE_SPOTIFY_URL: `${fake.url}/v1`,
  ROADIE_SECRET_KEY: TEST_SECRET_KEY,
});

export type ConnectData =
  | { __typename: 'SpotifyAuthorization'; authorizeUrl: string; redirectUri: string }
  | { __typename: 'SpotifyNotConfiguredError'; message: string; missing: string[] };

export const connectSpotify = async (url: string): Promise<ConnectData> =>
  (
    await gql<{ connectSpotify: ConnectData }>(
      url,
      `mutation { connectSpotify { __typename ... on SpotifyAuthorization { authorizeUrl redirectUri } ... on SpotifyNotConfiguredError { message missing } } }`,
    )
  ).connectSpotify;

/** What a browser does: the authorize page (the fake approves at once), then Roadie's callback. Returns where Roadie sends it. */
export async function browserRoundTrip(authorizeUrl: string): Promise<{ callback: string; landing: URL }> {
  const approve = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(approve.status).toBe(302);
  const callback = approve.headers.get('location') as string;
  const back = await fetch(callback, { redirect: 'manual' });
  expect(back.status).toBe(303);
  return { callback, landing: new URL(back.headers.get('location') as string, callback) };
}

/** Links the fake's user the way the Settings page does. */
export async function connect(t: TestApp): Promise<void> {
  const c = await connectSpotify(t.url);
  if (c.__typename !== 'SpotifyAuthorization') throw new Error(c.message);
  const { landing } = await browserRoundTrip(c.authorizeUrl);
  expect(landing.searchParams.get('spotify')).toBe('connected');
}
