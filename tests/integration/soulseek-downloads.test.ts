import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { FakeSlskd, type FakeResponse } from '../fakes/slskd.js';
import { FakeSpotify } from '../fakes/spotify.js';
import { appPerTest, gql, type TestApp } from '../helpers/app.js';
import { buildWav } from '../helpers/audio.js';
import { controlOk, getWorker } from '../helpers/graphql.js';
import { FINAL_STATUSES, JOB_RESULT_FIELDS, waitFor, waitForJob, type JobResultData } from '../helpers/jobs.js';
import { playlists } from '../helpers/playlists.js';
import { connect, spotifyEnv } from '../helpers/spotify.js';
import { subscribeWs } from '../helpers/ws.js';

const apps = appPerTest();
let spotify: FakeSpotify;
let slskd: FakeSlskd;
let downloads: string;
beforeAll(async () => {
  spotify = await new FakeSpotify().start();
  slskd = await new FakeSlskd().start();
});
afterAll(async () => {
  await spotify.stop();
  await slskd.stop();
});
beforeEach(async () => {
  spotify.reset();
  slskd.reset();
  spotify.playlists.length = 0;
  downloads = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-slskd-downloads-'));
});
afterEach(async () => {
  await fs.rm(downloads, { recursive: true, force: true });
});

const SECONDS = 20;
/** What the peers share: the song as a 20 s WAV (48 kHz, 8-bit: 384 kbit/s, lossless), and a poor MP3 of it. */
const shared = new Map<string, Buffer>();
function peersHave(title: string, artist: string): FakeResponse[] {
  const wav = buildWav({ seconds: SECONDS, sampleRate: 48_000, toneHz: 330 });
  const remote = `@@music\\${artist}\\Night Songs\\01 - ${title}.wav`;
  shared.set(remote, wav);
  return [
    { username: 'mp3-peer', hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 2_000_000, files: [{ filename: `@@share\\${artist} - ${title}.mp3`, size: 330_000, bitRate: 128, length: SECONDS }] },
    { username: 'flac-peer', hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 1_000_000, files: [{ filename: remote, size: wav.length, length: SECONDS }] },
  ];
}

/** A linked app whose Spotify account has one playlist of two songs, slskd as the download backend. */
async function setUp(): Promise<{ t: TestApp; playlistId: string }> {
  const songs = [
    { ...spotify.track('Blue Moon', 'Nina'), duration_ms: SECONDS * 1000 },
    { ...spotify.track('Red Sky', 'Nina'), duration_ms: SECONDS * 1000 },
  ];
  spotify.addPlaylist('Road Songs', songs);
  const answers = new Map(songs.map((s) => [`nina ${s.name.toLowerCase()}`, peersHave(s.name, 'Nina')]));
  slskd.results = (text) => answers.get(text) ?? [];
  slskd.saveDownloadsTo(downloads, (remote) => shared.get(remote)!);
  const t = await apps.start({
    env: {
      ...spotifyEnv(spotify),
      ROADIE_SLSKD_URL: slskd.url,
      ROADIE_SLSKD_API_KEY: slskd.apiKey,
      ROADIE_SLSKD_DOWNLOADS_DIR: downloads,
      ROADIE_SLSKD_POLL_MS: '20',
    },
  });
  await connect(t);
  await controlOk(t.url, 'runWorkerNow', { name: 'spotify_sync' });
  const found = await waitFor(() => playlists(t.url), (ps) => ps.some((p) => p.name === 'Road Songs'), 'the Spotify playlist', 10_000);
  return { t, playlistId: found.find((p) => p.name === 'Road Songs')!.id };
}

const syncThenDownload = async (url: string, id: string): Promise<JobResultData> =>
  (await gql<{ syncThenDownloadPlaylists: JobResultData }>(url, `mutation ($ids: [ID!]!) { syncThenDownloadPlaylists(playlistIds: $ids) { ${JOB_RESULT_FIELDS} } }`, { ids: [id] }))
    .syncThenDownloadPlaylists;

describe('Soulseek (slskd) as the download backend', () => {
  it('a Spotify playlist downloads through slskd: search, best file ranked first, live speed, filed and tagged in the library', async () => {
    slskd.transferScript = { queuedPolls: 2, progressPolls: 25, end: 'Completed, Succeeded' };
    const { t, playlistId } = await setUp();
    const sub = subscribeWs<{ downloadSpeed: { jobId: number; downloadedBytes: number; totalBytes: number | null; workers: { name: string }[] } }>(
      t.wsUrl,
      'subscription { downloadSpeed { jobId downloadedBytes totalBytes workers { name } } }',
    );
    onTestFinished(() => sub.close());
    const r = await syncThenDownload(t.url, playlistId);
    // slskd's transfer bytes come through the same downloadSpeed subscription
    const moving = await sub.next((e) => e.downloadSpeed.jobId === r.job!.jobId && e.downloadSpeed.downloadedBytes > 0 && e.downloadSpeed.workers.length > 0, 15_000, 'slskd bytes');
    const wavBytes = shared.values().next().value!.length;
    expect([wavBytes, 2 * wavBytes]).toContain(moving.downloadSpeed.totalBytes); // one or both songs in flight (two workers)
    const job = await waitForJob(t.url, r.job!.jobId, (j) => FINAL_STATUSES.includes(j.status), 'the job', 30_000);
    expect(job.status).toBe('COMPLETED');

    // searched by artist and title; the lossless file of flac-peer won over the 128 kbps MP3
    expect(slskd.searches.size).toBe(2);
    expect([...slskd.searches.values()].map((s) => s.searchText).sort()).toEqual(['nina blue moon', 'nina red sky']);
    expect(slskd.transfers.map((x) => x.username)).toEqual(['flac-peer', 'flac-peer']);

    const [p] = (await playlists(t.url)).filter((x) => x.id === playlistId);
    expect(p).toMatchObject({ songCount: 2, downloadedSongCount: 2 });
    const library = path.join(t.dataDir, 'library');
    const all = await fs.readdir(library, { recursive: true });
    const wavs = all.filter((f) => String(f).endsWith('.wav')).sort();
    expect(wavs).toHaveLength(2);
    const tags = await parseFile(path.join(library, String(wavs[0])));
    expect(tags.common.artist).toBe('Nina');
    // nothing left to follow
    expect(await t.app.orm.em.getConnection().execute('select * from soulseek_transfers')).toEqual([]);
  });

  it('a peer that refuses (banned) fails the song with user_blocked, never retried; the Download Monitor follows open transfers', async () => {
    slskd.transferScript = { queuedPolls: 1, progressPolls: 1, end: 'Completed, Rejected', exception: 'Banned' };
    const { t, playlistId } = await setUp();
    const r = await syncThenDownload(t.url, playlistId);
    const job = await waitForJob(t.url, r.job!.jobId, (j) => FINAL_STATUSES.includes(j.status), 'the job', 30_000);
    expect(job.status).toBe('FAILED');
    const items = await gql<{ job: { items: { edges: { node: { lastErrorCode: string | null; lastError: string | null; nextAttemptAt: string | null } }[] } } }>(
      t.url,
      `query ($id: ID!) { job(id: $id) { items(first: 10, status: FAILED) { edges { node { lastErrorCode lastError nextAttemptAt } } } } }`,
      { id: r.job!.id },
    );
    const failed = items.job.items.edges.map((e) => e.node);
    expect(failed).toHaveLength(2);
    for (const f of failed) {
      expect(f.lastErrorCode).toBe('user_blocked');
      expect(f.lastError).toMatch(/flac-peer.*Banned/);
      expect(f.nextAttemptAt).toBeNull();
    }

    // a transfer that stays queued at the peer: the Download Monitor reports it
    slskd.transferScript = { queuedPolls: 10_000, progressPolls: 1, end: 'Completed, Succeeded' };
    const again = await syncThenDownload(t.url, playlistId);
    await waitFor(() => t.app.orm.em.getConnection().execute<{ state: string }[]>("select state from soulseek_transfers where state = 'Queued, Remotely'"), (rows) => rows.length > 0, 'a queued transfer', 10_000);
    await controlOk(t.url, 'runWorkerNow', { name: 'download_monitor' });
    await waitFor(() => getWorker(t.url, 'download_monitor'), (w) => /Soulseek: 2 queued, 0 transferring/.test(w?.activity?.message ?? ''), 'the monitor saying so', 10_000);
    // cancelling the job cancels the transfers in slskd too, and forgets them
    await gql(t.url, `mutation ($id: ID!) { cancelJob(id: $id) { __typename } }`, { id: again.job!.id });
    await waitForJob(t.url, again.job!.jobId, (j) => j.status === 'CANCELED', 'the cancel', 10_000);
    // (the retry went to the other peer: the one that banned Roadie is avoided)
    await waitFor(() => slskd.count(/^DELETE \/api\/v0\/transfers\/downloads\/mp3-peer\//), (n) => n === 2, 'two DELETEs', 10_000);
    const queued = slskd.transfers.filter((x) => x.script.queuedPolls === 10_000);
    expect(queued.map((x) => x.state)).toEqual(['Completed, Cancelled', 'Completed, Cancelled']);
    await waitFor(() => t.app.orm.em.getConnection().execute('select * from soulseek_transfers'), (rows) => rows.length === 0, 'the transfers forgotten', 10_000);
  });
});
