import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSpotify, type FakeEntry } from '../fakes/spotify.js';
import { appPerTest, gql, type TestApp } from '../helpers/app.js';
import { runCycleNow, type WorkerData } from '../helpers/graphql.js';
import { FINAL_STATUSES, JOB_RESULT_FIELDS, waitFor, waitForJob, type JobResultData } from '../helpers/jobs.js';
import { playlists } from '../helpers/playlists.js';
import { connect, spotifyEnv } from '../helpers/spotify.js';

const apps = appPerTest();
let fake: FakeSpotify;
beforeAll(async () => {
  fake = await new FakeSpotify().start();
});
afterAll(async () => {
  await fake.stop();
});

interface SyncDetails {
  lastSyncs: { artists: string | null; playlists: string | null; likedSongs: string | null; savedAlbums: string | null };
  lastErrors: { kind: string; message: string }[];
  rateLimitedUntil: string | null;
  hasErrors: boolean;
  connected: boolean;
}
const DETAILS = '... on Worker { details { ... on SpotifySyncDetails { lastSyncs { artists playlists likedSongs savedAlbums } lastErrors { kind message } rateLimitedUntil hasErrors connected } } }';

/** Runs one cycle now and waits for it to end. */
const runCycle = (url: string): Promise<WorkerData & { details: SyncDetails }> => runCycleNow(url, 'spotify_sync', DETAILS);

const apiCalls = (path: string | RegExp): number => fake.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path))).length;

/** A linked app whose probes and own cycles stay out of the way of the fake's script. */
/** Activity updates unthrottled, so a cycle's last message is there when it ends. */
const env = (): Record<string, string> => ({ ...spotifyEnv(fake), ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0' });

async function linkedApp(): Promise<TestApp> {
  const t = await apps.start({ env: { ...env(), ROADIE_SERVICE_PROBE_INTERVAL_SECONDS: '3600' } });
  const connectedAt = Date.now();
  await connect(t);
  // the connect triggers a probe round (/v1/me with the new token): let it pass before anything is scripted
  await waitFor(
    () => gql<{ services: { name: string; state: string; checkedAt: string | null }[] }>(t.url, '{ services { name state checkedAt } }'),
    (d) => d.services.some((s) => s.name === 'spotify' && s.state === 'UP' && Date.parse(s.checkedAt ?? '') >= connectedAt),
    'the probe after connecting',
  );
  return t;
}

function seedLibrary(): { mix: string; liked: number } {
  fake.followed.push(...Array.from({ length: 70 }, (_, i) => ({ id: `artist${String(i).padStart(3, '0')}`, name: `Artist ${i}`, genres: i % 2 ? ['indie'] : [] })));
  fake.savedAlbums.push(...Array.from({ length: 3 }, (_, i) => ({ added_at: '2026-11-01T10:00:00Z', album: fake.album(`Saved ${i}`, `Band ${i}`) })));
  const entries: FakeEntry[] = Array.from({ length: 120 }, (_, i) => fake.track(`Song ${i}`, `Band ${i % 7}`));
  entries.splice(10, 0, { local: 'my-demo.mp3' }, { episode: 'A podcast' }, null);
  fake.addPlaylist('Road Trip Mix', entries);
  fake.addPlaylist('Empty', []);
  fake.liked.push(...Array.from({ length: 60 }, (_, i) => ({ added_at: '2026-10-01T00:00:00Z', track: fake.track(`Liked ${i}`) })));
  return { mix: 'Road Trip Mix', liked: 60 };
}

describe('Spotify Sync daemon against the fake Web API', () => {
  it('not connected: says so and asks Spotify nothing', async () => {
    fake.reset();
    const t = await apps.start({ env: env() });
    const w = await runCycle(t.url);
    expect(w.activity?.message).toBe('Waiting for Spotify to be connected');
    expect(w.details.connected).toBe(false);
    expect(apiCalls(/^\/v1\//)).toBe(0);
  });

  it('syncs artists, playlists (a Spotify source), liked songs and saved albums, all pages; a wanted playlist syncs its tracks', async () => {
    fake.reset();
    const seeded = seedLibrary();
    try {
      const t = await linkedApp();
      const w = await runCycle(t.url);
      expect(w.status).not.toBe('ERROR');
      expect(w.details.connected).toBe(true);
      for (const k of ['artists', 'playlists', 'likedSongs', 'savedAlbums'] as const) expect(w.details.lastSyncs[k], k).not.toBeNull();

      // followed artists: cursor paging (50 a page) read to the end; saved albums whole
      const counts = await t.app.orm.em
        .getConnection()
        .execute<{ artists: number; albums: number }[]>('select (select count(*) from followed_artists) as artists, (select count(*) from saved_albums) as albums');
      expect(counts[0]).toEqual({ artists: 70, albums: 3 });
      expect(apiCalls('/v1/me/following')).toBe(2);

      // the playlists: a source of the linked user, read by a COLLECT_ONLY job, plus Liked Songs
      const source = await waitFor(
        () => gql<{ playlistSources: { id: string; kind: string; location: string; playlistCount: number }[] }>(t.url, '{ playlistSources { id kind location playlistCount } }'),
        (d) => d.playlistSources.some((s) => s.kind === 'SPOTIFY' && s.playlistCount === 3),
        'the Spotify source with its playlists',
      );
      expect(source.playlistSources.find((s) => s.kind === 'SPOTIFY')?.location).toBe('spotify:user:roadie-user');
      // Liked Songs is synced on its own schedule (a SYNC_ONLY job): 60 songs, two pages
      const liked = await waitFor(() => playlists(t.url), (ps) => ps.find((p) => p.name === 'Liked Songs')?.songCount === seeded.liked, 'Liked Songs synced');
      expect(liked.map((p) => p.name).sort()).toEqual(['Empty', 'Liked Songs', 'Road Trip Mix']);
      expect(apiCalls('/v1/me/tracks')).toBe(2);

      // a wanted Spotify playlist syncs like any other: 120 tracks over two pages, the local file, the episode and the removed track left out
      const mix = liked.find((p) => p.name === seeded.mix)!;
      const r = (await gql<{ syncSelectedPlaylists: JobResultData }>(t.url, `mutation ($ids: [ID!]!) { syncSelectedPlaylists(playlistIds: $ids) { ${JOB_RESULT_FIELDS} } }`, { ids: [mix.id] }))
        .syncSelectedPlaylists;
      const job = await waitForJob(t.url, r.job!.jobId, (j) => FINAL_STATUSES.includes(j.status), 'the sync', 10_000);
      expect(job.status).toBe('COMPLETED');
      expect((await playlists(t.url)).find((p) => p.id === mix.id)?.songCount).toBe(120);

      // downloading it: a Spotify track has no file of its own; without a search backend each song fails, not retried
      const d = (await gql<{ downloadSelectedPlaylists: JobResultData }>(t.url, `mutation ($ids: [ID!]!) { downloadSelectedPlaylists(playlistIds: $ids) { ${JOB_RESULT_FIELDS} } }`, { ids: [mix.id] }))
        .downloadSelectedPlaylists;
      const dl = await waitForJob(t.url, d.job!.jobId, (j) => FINAL_STATUSES.includes(j.status), 'the download', 20_000);
      expect(dl.status).toBe('FAILED');
      const items = await gql<{ job: { items: { edges: { node: { lastErrorCode: string | null; nextAttemptAt: string | null } }[] } } }>(
        t.url,
        `query ($id: ID!) { job(id: $id) { items(first: 200, status: FAILED) { edges { node { lastErrorCode nextAttemptAt } } } } }`,
        { id: d.job!.id },
      );
      const failedItems = items.job.items.edges.map((e) => e.node);
      expect(failedItems).toHaveLength(120);
      expect(failedItems.every((i) => i.lastErrorCode === 'no_source' && i.nextAttemptAt === null)).toBe(true);

      // within every period nothing is due: the next cycle asks Spotify nothing
      const before = fake.requests.length;
      const quiet = await runCycle(t.url);
      expect(quiet.activity?.message).toBe('Spotify library is in sync');
      expect(fake.requests.length).toBe(before);
    } finally {
      fake.followed.length = 0;
      fake.savedAlbums.length = 0;
      fake.playlists.length = 0;
      fake.liked.length = 0;
    }
  });

  it('a 429 with Retry-After pauses every kind for that long, and asks nothing meanwhile', async () => {
    fake.reset();
    const t = await linkedApp();
    fake.script = [{ status: 429, retryAfter: '120' }];
    const before = Date.now();
    const w = await runCycle(t.url);
    expect(w.status).not.toBe('ERROR'); // a pause Spotify asked for is no failure
    expect(w.activity?.message).toBe('Spotify rate limit (HTTP 429): waiting 120 s as Retry-After asked');
    const until = Date.parse(w.details.rateLimitedUntil!);
    expect(until - before).toBeGreaterThanOrEqual(119_000);
    expect(until - Date.now()).toBeLessThanOrEqual(121_000);
    expect(w.details.lastErrors).toEqual([{ kind: 'ARTISTS', message: expect.stringMatching(/429/) }]);
    expect(w.details.lastSyncs.playlists).toBeNull(); // nothing else was asked
    const asked = fake.requests.length;
    const paused = await runCycle(t.url);
    expect(paused.activity?.message).toMatch(/^Spotify asked Roadie to slow down; next request after /);
    expect(fake.requests.length).toBe(asked);

  });

  it('a 429 without Retry-After pauses for 5 minutes (then doubling, see the sync plan unit tests)', async () => {
    fake.reset();
    const t = await linkedApp();
    fake.script = [{ status: 429 }];
    const w = await runCycle(t.url);
    expect(w.activity?.message).toBe('Spotify rate limit (HTTP 429): waiting 300 s');
    const pause = Date.parse(w.details.rateLimitedUntil!) - Date.now();
    expect(pause).toBeGreaterThan(4.9 * 60_000);
    expect(pause).toBeLessThanOrEqual(5 * 60_000);
  });

  it('a failing kind (HTTP 500) turns the status to ERROR with the kind named; the others still sync', async () => {
    fake.reset();
    const t = await linkedApp();
    fake.script = [{ status: 500 }];
    const w = await runCycle(t.url);
    expect(w.status).toBe('ERROR');
    expect(w.lastError).toMatch(/^Spotify sync failed for followed artists: /);
    expect(w.details.lastErrors.map((e) => e.kind)).toEqual(['ARTISTS']);
    expect(w.details.hasErrors).toBe(true);
    expect(w.details.lastSyncs.artists).toBeNull();
    expect(w.details.lastSyncs.savedAlbums).not.toBeNull();
  });
});
