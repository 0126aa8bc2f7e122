import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeCoverArtArchive } from '../fakes/coverart.js';
import { FakeMusicBrainz } from '../fakes/musicbrainz.js';
import { FakeSlskd, type FakeResponse } from '../fakes/slskd.js';
import { appPerTest, gql, type TestApp } from '../helpers/app.js';
import { buildWav } from '../helpers/audio.js';
import { controlOk, firstCycleDone, runCycleNow, type WorkerData } from '../helpers/graphql.js';
import { FINAL_STATUSES, waitForJob } from '../helpers/jobs.js';
import { playlists } from '../helpers/playlists.js';

const apps = appPerTest();
let mb: FakeMusicBrainz;
let slskd: FakeSlskd;
let covers: FakeCoverArtArchive;
let downloads: string;
beforeAll(async () => {
  mb = await new FakeMusicBrainz().start();
  slskd = await new FakeSlskd().start();
  covers = await new FakeCoverArtArchive().start();
});
afterAll(async () => {
  await mb.stop();
  await slskd.stop();
  await covers.stop();
});
beforeEach(async () => {
  mb.reset();
  slskd.reset();
  downloads = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-automation-'));
});
afterEach(async () => {
  await fs.rm(downloads, { recursive: true, force: true });
});

const SECONDS = 20;
const today = (): string => new Date().toISOString().slice(0, 10);

/** Peers share each song as a 20 s lossless WAV; slskd "writes" it when the transfer ends. */
function shareOnSoulseek(artist: string, album: string, titles: string[]): void {
  const files = new Map<string, Buffer>();
  const answers = new Map<string, FakeResponse[]>();
  for (const title of titles) {
    const remote = `@@music\\${artist}\\${album}\\${title}.wav`;
    const wav = buildWav({ seconds: SECONDS, sampleRate: 48_000, toneHz: 220 + title.length });
    files.set(remote, wav);
    answers.set(`${artist} ${title}`.toLowerCase(), [{ username: 'peer', hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 1_000_000, files: [{ filename: remote, size: wav.length, length: SECONDS }] }]);
  }
  slskd.results = (text) => answers.get(text) ?? [];
  slskd.transferScript = { queuedPolls: 1, progressPolls: 2, end: 'Completed, Succeeded' };
  slskd.saveDownloadsTo(downloads, (remote) => files.get(remote)!);
}

async function start(extra: Record<string, string> = {}, before?: (t: TestApp) => Promise<void>): Promise<TestApp> {
  const t = await apps.start({
    env: {
      ROADIE_MUSICBRAINZ_URL: mb.url,
      ROADIE_MUSICBRAINZ_CONTACT: 'roadie-tests@example.test',
      ROADIE_MUSICBRAINZ_MIN_INTERVAL_MS: '0',
      ROADIE_SLSKD_URL: slskd.url,
      ROADIE_SLSKD_API_KEY: slskd.apiKey,
      ROADIE_SLSKD_DOWNLOADS_DIR: downloads,
      ROADIE_SLSKD_POLL_MS: '20',
      ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0',
      ROADIE_COVERART_URL: covers.url,
      ...extra,
    },
  });
  await before?.(t);
  for (const name of ['watchlist', 'discography']) await controlOk(t.url, 'startWorker', { name });
  return t;
}

const runCycle = (url: string, name: string): Promise<WorkerData> => runCycleNow(url, name);

interface Watched {
  id: string;
  name: string;
  mbid: string | null;
  origin: string;
  checkedAt: string | null;
  lastError: string | null;
  missingAlbums: number;
}
const watched = async (url: string): Promise<Watched[]> =>
  (await gql<{ watchedArtists: Watched[] }>(url, '{ watchedArtists { id name mbid origin checkedAt lastError missingAlbums } }')).watchedArtists;
const watch = (url: string, name: string) =>
  gql<{ watchArtist: { __typename: string; artist?: Watched; argument?: string; message?: string } }>(
    url,
    `mutation ($name: String!) { watchArtist(name: $name) { __typename ... on WatchArtistPayload { artist { id name origin } } ... on InvalidArgumentError { argument message } } }`,
    { name },
  );

describe('Watchlist and Discography against MusicBrainz (and slskd for the downloads)', () => {
  it("a watched artist's new release becomes a queued job whose songs download; the discography lists what is still missing", async () => {
    const nina = mb.addArtist('Nina');
    mb.addReleaseGroup(nina.id, 'Old Songs', 'Album', '2019-03-01');
    mb.addReleaseGroup(nina.id, 'Live at Home', 'Album', '2020-01-01', ['Live']); // not an album to fetch
    const t = await start({}, async (app) => {
      expect((await watch(app.url, 'Nina')).watchArtist.__typename).toBe('WatchArtistPayload');
    });

    // first look (the cycle the start runs): the artist is found on MusicBrainz; nothing was released since it was added
    const first = await firstCycleDone(t.url, 'watchlist');
    expect(first.activity?.message).toBe('Looked at 1 artist: no new releases');
    const [w] = await watched(t.url);
    expect(w).toMatchObject({ name: 'Nina', mbid: nina.id, origin: 'MANUAL', lastError: null });

    // an hour later (the look's time moved back), a new album is out
    await t.app.orm.em.getConnection().execute(`update watched_artists set checked_at = checked_at - 3600000`);
    const nightDrive = mb.addReleaseGroup(nina.id, 'Night Drive', 'Album', today(), [], [
      { title: 'Blue Moon', lengthMs: SECONDS * 1000 },
      { title: 'Red Sky', lengthMs: SECONDS * 1000 },
    ]);
    const cover = Buffer.from('\xff\xd8\xff\xe0 a JPEG, as far as the test cares', 'latin1');
    covers.addImage(mb.releasesOf(nightDrive.id)[0]!.id, cover);
    shareOnSoulseek('Nina', 'Night Drive', ['Blue Moon', 'Red Sky']);
    const second = await runCycle(t.url, 'watchlist');
    expect(second.activity?.message).toMatch(/^Queued 1 new release of 1 artists/);
    expect(second.activity?.jobType).toBe('sync_download');
    const job = await waitForJob(t.url, second.activity!.jobId!, (j) => FINAL_STATUSES.includes(j.status), 'the release job', 30_000);
    expect(job.status).toBe('COMPLETED');
    const release = (await playlists(t.url)).find((p) => p.name === 'Nina – Night Drive');
    expect(release).toMatchObject({ wanted: true, songCount: 2, downloadedSongCount: 2 });
    expect([...slskd.searches.values()].map((s) => s.searchText).sort()).toEqual(['nina blue moon', 'nina red sky']);
    // post-processing put the release's front cover from the Cover Art Archive next to the album, once
    const albumDir = path.join(t.dataDir, 'library', 'Nina', 'Night Drive');
    expect((await fs.readdir(albumDir)).filter((f) => f.startsWith('cover.'))).toEqual(['cover.jpg']);
    expect((await fs.readFile(path.join(albumDir, 'cover.jpg'))).length).toBeGreaterThan(0);
    expect(covers.requests.filter((r) => /\/front/.test(r.path))).toHaveLength(1);

    // the same look again finds nothing new (the release is queued once)
    await t.app.orm.em.getConnection().execute(`update watched_artists set checked_at = checked_at - 3600000`);
    expect((await runCycle(t.url, 'watchlist')).activity?.message).toBe('Looked at 1 artist: no new releases');

    // the discography (a day later: it may have looked when it started): Night Drive is in the library now, Old Songs is not; the live album is not counted
    await t.app.orm.em.getConnection().execute(`update watched_artists set discography_at = discography_at - 86400000`);
    const d = await runCycle(t.url, 'discography');
    expect(d.activity?.message).toBe('1 album missing for 1 artist looked at (1 in all)');
    const missing = await gql<{ missingAlbums: { artistName: string; title: string; firstReleaseDate: string | null }[] }>(t.url, '{ missingAlbums { artistName title firstReleaseDate } }');
    expect(missing.missingAlbums).toEqual([{ artistName: 'Nina', title: 'Old Songs', firstReleaseDate: '2019-03-01' }]);
    const view = await gql<{ automation: { running: boolean; watchlistRunning: boolean; discographyRunning: boolean; qualityUpgradeRunning: boolean; watchedArtists: number; missingAlbums: number; missing: string[]; workers: { name: string }[] } }>(
      t.url,
      '{ automation { running watchlistRunning discographyRunning qualityUpgradeRunning watchedArtists missingAlbums missing workers { name } } }',
    );
    expect(view.automation).toEqual({
      running: true,
      watchlistRunning: true,
      discographyRunning: true,
      qualityUpgradeRunning: false,
      watchedArtists: 1,
      missingAlbums: 1,
      missing: [],
      workers: [{ name: 'watchlist' }, { name: 'discography' }, { name: 'quality_upgrade' }],
    });
    // MusicBrainz's rules: every API request names Roadie and a contact (the service probe has its own)
    const api = mb.requests.filter((r) => r.path.startsWith('/ws/2/'));
    expect(api.length).toBeGreaterThan(5);
    expect(new Set(api.map((r) => r.userAgent))).toEqual(new Set(['Roadie/0.1.0 ( roadie-tests@example.test )']));
  });

  it('followed Spotify artists are watched too; an artist MusicBrainz does not know is reported, not fatal', async () => {
    mb.addArtist('Known Band');
    // what the Spotify Sync daemon keeps (tested with the fake Spotify elsewhere), there before the watchlist starts
    const t = await start({}, (app) =>
      app.app.orm.em
        .getConnection()
        .execute(`insert into followed_artists (spotify_id, name, genres, followers, synced_at) values ('a1', 'Known Band', null, 10, 0), ('a2', 'Nobody Knows Us', null, 1, 0)`)
        .then(() => undefined),
    );
    const w = await firstCycleDone(t.url, 'watchlist');
    expect(w.activity?.message).toMatch(/^Looked at 2 artists: no new releases; 1 could not be checked \(Nobody Knows Us: no artist of that name on MusicBrainz\)/);
    const list = await watched(t.url);
    expect(list.map((a) => [a.name, a.origin, a.mbid !== null, a.lastError !== null])).toEqual([
      ['Known Band', 'SPOTIFY', true, false],
      ['Nobody Knows Us', 'SPOTIFY', false, true],
    ]);
  });

  it('watching: a name is needed, and one artist is watched once (any spelling); unwatch removes it', async () => {
    const t = await start();
    expect((await watch(t.url, '   ')).watchArtist).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'name' });
    const added = (await watch(t.url, 'Beyoncé')).watchArtist.artist!;
    expect((await watch(t.url, 'BEYONCE')).watchArtist).toMatchObject({ __typename: 'InvalidArgumentError', message: 'BEYONCE is watched already' });
    expect((await gql<{ unwatchArtist: boolean }>(t.url, 'mutation ($id: ID!) { unwatchArtist(id: $id) }', { id: added.id })).unwatchArtist).toBe(true);
    expect((await gql<{ unwatchArtist: boolean }>(t.url, 'mutation ($id: ID!) { unwatchArtist(id: $id) }', { id: added.id })).unwatchArtist).toBe(false);
    expect(await watched(t.url)).toEqual([]);
  });

  it('without MusicBrainz configured both daemons say what to set', async () => {
    const t = await apps.start({ env: { ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0' } });
    for (const name of ['watchlist', 'discography']) {
      await controlOk(t.url, 'startWorker', { name });
      const w = await runCycle(t.url, name);
      expect(w.activity?.message).toBe('Waiting for MusicBrainz to be configured (set ROADIE_MUSICBRAINZ_URL and ROADIE_MUSICBRAINZ_CONTACT)');
    }
    expect((await gql<{ automation: { missing: string[] } }>(t.url, '{ automation { missing } }')).automation.missing).toEqual(['ROADIE_MUSICBRAINZ_URL', 'ROADIE_MUSICBRAINZ_CONTACT']);
  });
});
