import { describe, expect, it } from 'vitest';
import { appPerTest, gql } from '../helpers/app.js';
import { controlOk, getWorker, runCycleNow } from '../helpers/graphql.js';
import { waitFor } from '../helpers/jobs.js';
import { FakeDeezer } from '../fakes/deezer.js';
import { FakeSpotify } from '../fakes/spotify.js';
import { connect, spotifyEnv } from '../helpers/spotify.js';

const apps = appPerTest();

interface ReleaseData {
  source: string;
  externalId: string;
  title: string;
  artist: string | null;
  releaseDate: string | null;
}

const list = async (url: string): Promise<ReleaseData[]> =>
  (await gql<{ newReleases: ReleaseData[] }>(url, '{ newReleases(first: 100) { source externalId title artist releaseDate } }')).newReleases;

describe('New Releases Sync with Deezer', () => {
  it('caches Deezer’s editorial releases (all pages), replaces the list on the next run, and says so in its activity', async () => {
    const deezer = await new FakeDeezer().start();
    try {
      for (let i = 1; i <= 60; i++) {
        deezer.releases.push({ id: 1000 + i, title: `Album ${i}`, artist: { id: i, name: `Artist ${i}` }, release_date: `2026-11-${String((i % 28) + 1).padStart(2, '0')}`, record_type: 'album' });
      }
      const t = await apps.start({ env: { ROADIE_DEEZER_URL: deezer.url } });
      await controlOk(t.url, 'runWorkerNow', { name: 'new_releases_sync' });
      const w = await waitFor(() => getWorker(t.url, 'new_releases_sync'), (x) => /Cached 60 new releases/.test(x?.activity?.message ?? ''), 'the cached count', 10_000);
      expect(w?.activity?.message).toMatch(/from Deezer/);
      const first = await list(t.url);
      expect(first).toHaveLength(60); // 50 a page: the second page was read too
      expect(first[0]).toMatchObject({ source: 'deezer', releaseDate: '2026-11-28' });
      expect(deezer.requests.filter((r) => r.path === '/editorial/0/releases').length).toBeGreaterThanOrEqual(2);

      deezer.releases.splice(0, 55); // Deezer's list moved on: the cache follows
      await controlOk(t.url, 'runWorkerNow', { name: 'new_releases_sync' });
      await waitFor(() => list(t.url), (xs) => xs.length === 5, 'the replaced list', 10_000);
    } finally {
      await deezer.stop();
    }
  });

  it('says what is missing without Deezer configured, and caches nothing', async () => {
    const t = await apps.start();
    await controlOk(t.url, 'runWorkerNow', { name: 'new_releases_sync' });
    await waitFor(() => getWorker(t.url, 'new_releases_sync'), (x) => (x?.runCount ?? 0) > 0 && /Deezer to be configured/.test(x?.activity?.message ?? ''), 'a run saying so', 10_000);
    expect(await list(t.url)).toEqual([]);
  });

  it('with Spotify linked, caches Spotify’s new releases beside Deezer’s', async () => {
    const deezer = await new FakeDeezer().start();
    const spotify = await new FakeSpotify().start();
    try {
      deezer.releases.push({ id: 7, title: 'From Deezer', artist: { id: 1, name: 'D' }, release_date: '2026-11-20', record_type: 'album' });
      spotify.newReleases.push(...Array.from({ length: 55 }, (_, i) => spotify.album(`Spotify Album ${i}`, `S ${i}`))); // two pages of 50
      const t = await apps.start({ env: { ...spotifyEnv(spotify), ROADIE_DEEZER_URL: deezer.url, ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0' } });
      await connect(t);
      const w = await runCycleNow(t.url, 'new_releases_sync');
      expect(w.activity?.message).toBe('Cached 56 new releases (1 from Deezer, 55 from Spotify)');
      const all = await list(t.url);
      expect(all.filter((r) => r.source === 'spotify')).toHaveLength(55);
      expect(all.find((r) => r.source === 'spotify')).toMatchObject({ artist: expect.stringMatching(/^S \d+$/), releaseDate: '2025-01-10' });
    } finally {
      await deezer.stop();
      await spotify.stop();
    }
  });
});
