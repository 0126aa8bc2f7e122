import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlskd } from '../fakes/slskd.js';
import { appPerTest, gql, type TestApp } from '../helpers/app.js';
import { buildWav } from '../helpers/audio.js';
import { controlOk, firstCycleDone, runCycleNow } from '../helpers/graphql.js';
import { FINAL_STATUSES, JOB_RESULT_FIELDS, waitForJob, type JobResultData } from '../helpers/jobs.js';
import { addSource, playlists } from '../helpers/playlists.js';
import { startSongServer, type SongServer } from '../helpers/song-server.js';

const apps = appPerTest();
let slskd: FakeSlskd;
let songs: SongServer;
let dir: string;
let downloads: string;
beforeAll(async () => {
  slskd = await new FakeSlskd().start();
});
afterAll(async () => {
  await slskd.stop();
});
beforeEach(async () => {
  slskd.reset();
  songs = await startSongServer();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-upgrade-'));
  downloads = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-upgrade-slskd-'));
});
afterEach(async () => {
  await songs.close();
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(downloads, { recursive: true, force: true });
});

/** A constant-bit-rate MPEG-1 Layer III file of silent mono frames: 128 kbit/s, 44.1 kHz, about `seconds` long. */
function mp3(seconds: number): Buffer {
  const frameBytes = Math.floor((144 * 128_000) / 44_100); // 417
  const frames = Math.round((seconds * 44_100) / 1152);
  const frame = Buffer.alloc(frameBytes);
  frame.set([0xff, 0xfb, 0x90, 0xc0]); // sync, MPEG-1 Layer III no CRC; 128 kbit/s, 44.1 kHz, no padding; mono
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/** The library gets "Nina – Blue Moon" as a 128 kbit/s MP3 through a normal download. */
async function libraryWithMp3(t: TestApp): Promise<void> {
  songs.files.set('/blue.mp3', { body: mp3(20) });
  const file = path.join(dir, 'Lossy.json');
  await fs.writeFile(file, JSON.stringify({ name: 'Lossy', tracks: [{ title: 'Blue Moon', artist: 'Nina', album: 'Night Drive', location: `${songs.base}/blue.mp3` }] }));
  await addSource(t.url, file);
  const [p] = await playlists(t.url);
  const r = (await gql<{ syncThenDownloadPlaylists: JobResultData }>(t.url, `mutation ($ids: [ID!]!) { syncThenDownloadPlaylists(playlistIds: $ids) { ${JOB_RESULT_FIELDS} } }`, { ids: [p!.id] }))
    .syncThenDownloadPlaylists;
  expect((await waitForJob(t.url, r.job!.jobId, (j) => FINAL_STATUSES.includes(j.status), 'the mp3 download', 15_000)).status).toBe('COMPLETED');
}

/** Peers answer with a 128 kbit/s MP3 (no better) and a WAV that lasts `wavSeconds` (announced as 20 s). */
function peersOffer(wavSeconds: number, sampleRate = 48_000): Buffer {
  const wav = buildWav({ seconds: wavSeconds, sampleRate, toneHz: 440 });
  const remote = '@@music\\Nina\\Night Drive\\01 Blue Moon.wav';
  slskd.results = (text) =>
    text === 'nina blue moon'
      ? [
          { username: 'same-peer', hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 9_000_000, files: [{ filename: '@@x\\Nina - Blue Moon.mp3', size: 320_000, bitRate: 128, length: 20 }] },
          { username: 'wav-peer', hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 1_000_000, files: [{ filename: remote, size: wav.length, length: 20 }] },
        ]
      : [];
  slskd.transferScript = { queuedPolls: 1, progressPolls: 1, end: 'Completed, Succeeded' };
  slskd.saveDownloadsTo(downloads, () => wav);
  return wav;
}

const localFiles = (t: TestApp) =>
  t.app.orm.em.getConnection().execute<{ relative_path: string; container: string; bitrate_kbps: number | null; upgrade_checked_at: number | null }[]>(
    'select relative_path, container, bitrate_kbps, upgrade_checked_at from local_files',
  );

async function start(): Promise<TestApp> {
  const t = await apps.start({
    env: {
      ROADIE_SLSKD_URL: slskd.url,
      ROADIE_SLSKD_API_KEY: slskd.apiKey,
      ROADIE_SLSKD_DOWNLOADS_DIR: downloads,
      ROADIE_SLSKD_POLL_MS: '20',
      ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0',
    },
  });
  return t;
}

describe('Quality Upgrade daemon (through slskd)', () => {
  it('replaces a 128 kbit/s MP3 with a verified lossless file, skipping candidates that are no better', async () => {
    const t = await start();
    await libraryWithMp3(t);
    const before = await localFiles(t);
    expect(before).toMatchObject([{ relative_path: 'Nina/Night Drive/Blue Moon.mp3', container: 'MPEG', bitrate_kbps: 128 }]);
    const wav = peersOffer(20);
    await controlOk(t.url, 'startWorker', { name: 'quality_upgrade' }); // a start runs a cycle at once
    const w = await firstCycleDone(t.url, 'quality_upgrade');
    expect(w.activity?.message).toBe('Upgraded 1 of 1 file below 256 kbps');
    // the MP3 peer was not asked for its file: only the better one was enqueued
    expect(slskd.transfers.map((x) => x.username)).toEqual(['wav-peer']);
    const after = await localFiles(t);
    expect(after).toMatchObject([{ relative_path: 'Nina/Night Drive/Blue Moon.wav', container: 'WAVE', bitrate_kbps: 384 }]);
    const library = path.join(t.dataDir, 'library', 'Nina', 'Night Drive');
    expect(await fs.readdir(library)).toEqual(['Blue Moon.wav']); // the MP3 is gone
    expect((await fs.readFile(path.join(library, 'Blue Moon.wav'))).equals(wav)).toBe(true);
    expect((await parseFile(path.join(library, 'Blue Moon.wav'))).format.container).toBe('WAVE');
    // nothing lossy below 256 kbit/s is left
    expect((await runCycleNow(t.url, 'quality_upgrade')).activity?.message).toBe('No library file below 256 kbps is due for a search');
  });

  it('a found file that does not pass the check (another length) leaves the library as it was, and waits 30 days', async () => {
    const t = await start();
    await libraryWithMp3(t);
    // announced as 20 s, really 12 s (another edit of the song); big enough for 20 s of lossless, so the ranking cannot tell
    peersOffer(12, 96_000);
    await controlOk(t.url, 'startWorker', { name: 'quality_upgrade' });
    const w = await firstCycleDone(t.url, 'quality_upgrade');
    expect(w.activity?.message).toBe('Upgraded 0 of 1 file below 256 kbps; 1 found file refused after checking');
    const [f] = await localFiles(t);
    expect(f).toMatchObject({ relative_path: 'Nina/Night Drive/Blue Moon.mp3', container: 'MPEG' });
    expect(f!.upgrade_checked_at).not.toBeNull();
    expect(await fs.readdir(path.join(t.dataDir, 'library', 'Nina', 'Night Drive'))).toEqual(['Blue Moon.mp3']);
    expect((await runCycleNow(t.url, 'quality_upgrade')).activity?.message).toBe('No library file below 256 kbps is due for a search');
  });

  it('without slskd it says what to set', async () => {
    const t = await apps.start({ env: { ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0' } });
    await controlOk(t.url, 'startWorker', { name: 'quality_upgrade' });
    expect((await firstCycleDone(t.url, 'quality_upgrade')).activity?.message).toBe(
      'Waiting for slskd to be configured (set ROADIE_SLSKD_URL, ROADIE_SLSKD_API_KEY, ROADIE_SLSKD_DOWNLOADS_DIR)',
    );
  });
});
