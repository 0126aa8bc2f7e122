import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { appPerTest, gql } from '../helpers/app.js';
import { buildWav } from '../helpers/audio.js';
import { FINAL_STATUSES, JOB_RESULT_FIELDS, waitForJob, type JobResultData } from '../helpers/jobs.js';
import { addSource, playlists } from '../helpers/playlists.js';
import { startSongServer, type SongServer } from '../helpers/song-server.js';
import { subscribeWs } from '../helpers/ws.js';

const apps = appPerTest();
let dir: string;
let songs: SongServer;
let base: string;
/** Files the server serves by path; `slow` ones go out at about 100 KB/s. */
let files: SongServer['files'];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-downloads-'));
  songs = await startSongServer();
  ({ base, files } = songs);
});

afterEach(async () => {
  await songs.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A Roadie JSON playlist of these tracks. */
async function writePlaylist(name: string, tracks: Record<string, unknown>[]): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  await fs.writeFile(file, JSON.stringify({ name, tracks }));
  return file;
}

async function runBulk(url: string, name: string, ids: string[]): Promise<JobResultData> {
  const d = await gql<Record<string, JobResultData>>(url, `mutation ($ids: [ID!]!) { ${name}(playlistIds: $ids) { ${JOB_RESULT_FIELDS} } }`, { ids });
  return d[name]!;
}

interface ItemData {
  label: string;
  status: string;
  lastErrorCode: string | null;
  nextAttemptAt: string | null;
}

async function items(url: string, jobId: string): Promise<ItemData[]> {
  const d = await gql<{ job: { items: { edges: { node: ItemData }[] } } }>(
    url,
    `query ($id: ID!) { job(id: $id) { items(first: 100) { edges { node { label status lastErrorCode nextAttemptAt } } } } }`,
    { id: jobId },
  );
  return d.job.items.edges.map((e) => e.node);
}

describe('downloads', () => {
  it('syncs then downloads a playlist: files tracks as Artist/Album/NN Title, fills WAVE tags, fails 404 and non-audio for good', async () => {
    const tagged = buildWav({ artist: 'Nina', title: 'Blue', album: 'Night Songs', trackNumber: 3, seconds: 2, toneHz: 440 });
    const untagged = buildWav({ seconds: 2, toneHz: 330 });
    files.set('/tagged.wav', { body: tagged });
    files.set('/untagged.wav', { body: untagged });
    files.set('/text.wav', { body: Buffer.from('this is not audio at all, just words in a file '.repeat(50)) });
    const file = await writePlaylist('Evening', [
      { title: 'Blue', location: `${base}/tagged.wav`, sizeBytes: tagged.length, sha256: sha256(tagged) },
      { title: 'Unnamed', artist: 'Bee', album: 'Demo Tapes', trackNumber: 2, location: `${base}/untagged.wav` },
      { title: 'Gone', artist: 'Bee', location: `${base}/missing.wav` },
      { title: 'Words', artist: 'Bee', location: `${base}/text.wav` },
    ]);
    const t = await apps.start();
    await addSource(t.url, file);
    const [playlist] = await playlists(t.url);

    const r = await runBulk(t.url, 'syncThenDownloadPlaylists', [playlist!.id]);
    expect(r.job).toMatchObject({ jobType: 'SYNC_DOWNLOAD', lane: 'download' });
    const done = await waitForJob(t.url, r.job!.id, (j) => FINAL_STATUSES.includes(j.status), 'the job to end', 15_000);
    expect(done.status).toBe('COMPLETED_WITH_ERRORS');
    expect(done.stages.map((s) => [s.stageType, s.totalItems, s.succeededItems, s.failedItems])).toEqual([
      ['SYNC', 1, 1, 0],
      ['DOWNLOAD', 4, 2, 2],
    ]);

    const library = path.join(t.dataDir, 'library');
    const blue = path.join(library, 'Nina/Night Songs/03 Blue.wav');
    expect(await fs.readFile(blue)).toEqual(tagged);
    const filled = path.join(library, 'Bee/Demo Tapes/02 Unnamed.wav');
    const { common } = await parseFile(filled);
    expect(common).toMatchObject({ artist: 'Bee', title: 'Unnamed', album: 'Demo Tapes', track: { no: 2 } });

    const byLabel = new Map((await items(t.url, r.job!.id)).map((i) => [i.label, i]));
    expect(byLabel.get('Bee – Gone')).toMatchObject({ status: 'FAILED', lastErrorCode: 'file_not_found', nextAttemptAt: null });
    expect(byLabel.get('Bee – Words')).toMatchObject({ status: 'FAILED', lastErrorCode: 'invalid_file', nextAttemptAt: null });
    // nothing half-done is left behind: no partial file in the library, none of the refused file in incoming
    const inLibrary = await fs.readdir(library, { recursive: true });
    expect(inLibrary.filter((f) => f.endsWith('.part') || f.includes('Words'))).toEqual([]);
    expect(await fs.readdir(path.join(t.dataDir, 'tmp/incoming')).catch(() => [])).toEqual([]);

    expect((await playlists(t.url))[0]).toMatchObject({ songCount: 4, distinctSongCount: 4, downloadedSongCount: 2 });
    // the job detail's playlist progress
    const detail = await gql<{ job: { playlists: { name: string; songCount: number; downloadedSongCount: number }[] } }>(
      t.url,
      `query ($id: ID!) { job(id: $id) { playlists { name songCount downloadedSongCount } } }`,
      { id: r.job!.id },
    );
    expect(detail.job.playlists).toEqual([{ name: 'Evening', songCount: 4, downloadedSongCount: 2 }]);

    // a second download plans only what is still missing
    const again = await runBulk(t.url, 'downloadSelectedPlaylists', [playlist!.id]);
    const second = await waitForJob(t.url, again.job!.id, (j) => FINAL_STATUSES.includes(j.status), 'the second job to end', 15_000);
    expect(second.stages[0]).toMatchObject({ stageType: 'DOWNLOAD', totalItems: 2 });
  });

  it('publishes live speed per job and worker while a download runs, then a last event without workers', async () => {
    const song = buildWav({ artist: 'Slow', title: 'Drip', album: 'Wait', trackNumber: 1, seconds: 12, toneHz: 200 }); // 96 KB at ~100 KB/s
    files.set('/slow.wav', { body: song, slow: true });
    const file = await writePlaylist('Slow', [{ title: 'Drip', location: `${base}/slow.wav` }]);
    const t = await apps.start();
    await addSource(t.url, file);
    const [playlist] = await playlists(t.url);
    const sub = subscribeWs<{ downloadSpeed: { jobId: number; speedBytesPerSec: number | null; downloadedBytes: number; totalBytes: number | null; workers: { name: string; etaSeconds: number | null }[] } }>(
      t.wsUrl,
      `subscription { downloadSpeed { jobId speedBytesPerSec downloadedBytes totalBytes workers { name etaSeconds } } }`,
    );
    onTestFinished(() => sub.close());
    const r = await runBulk(t.url, 'syncThenDownloadPlaylists', [playlist!.id]);
    const jobId = r.job!.jobId;
    const moving = await sub.next((e) => e.downloadSpeed.jobId === jobId && (e.downloadSpeed.speedBytesPerSec ?? 0) > 0, 10_000, 'a speed');
    expect(moving.downloadSpeed.totalBytes).toBe(song.length);
    expect(moving.downloadSpeed.downloadedBytes).toBeLessThan(song.length);
    expect(moving.downloadSpeed.workers[0]).toMatchObject({ name: 'download-1' });
    expect(moving.downloadSpeed.workers[0]!.etaSeconds).toBeGreaterThan(0);
    // about 100 KB/s: the measured speed is in that range, not a guess
    expect(moving.downloadSpeed.speedBytesPerSec!).toBeGreaterThan(40_000);
    expect(moving.downloadSpeed.speedBytesPerSec!).toBeLessThan(250_000);
    await sub.next((e) => e.downloadSpeed.jobId === jobId && e.downloadSpeed.workers.length === 0, 15_000, 'the last event');
    const updates = sub.events.filter((e) => e.downloadSpeed.jobId === jobId).length;
    expect(updates).toBeLessThan(5 * 12); // a few a second at most over the ~1 s download
  });

  it('pause mid-download then resume: the download continues from its bytes with a Range request, the file is whole', async () => {
    const song = buildWav({ artist: 'Slow', title: 'Resume', album: 'Wait', trackNumber: 4, seconds: 20, toneHz: 250 }); // 160 KB at ~100 KB/s
    files.set('/resume.wav', { body: song, slow: true });
    const { ranges } = songs;
    const file = await writePlaylist('Resume', [{ title: 'Resume', location: `${base}/resume.wav`, sizeBytes: song.length, sha256: sha256(song) }]);
    const t = await apps.start();
    await addSource(t.url, file);
    const [playlist] = await playlists(t.url);
    const r = await runBulk(t.url, 'syncThenDownloadPlaylists', [playlist!.id]);
    await waitForJob(t.url, r.job!.id, (j) => (j.workers[0]?.downloadedBytes ?? 0) > 30_000, 'bytes on disk', 10_000);
    const paused = await gql<{ pauseJob: JobResultData }>(t.url, `mutation ($id: ID!) { pauseJob(id: $id) { ${JOB_RESULT_FIELDS} } }`, { id: r.job!.id });
    expect(paused.pauseJob.__typename).toBe('JobPayload');
    await waitForJob(t.url, r.job!.id, (j) => j.status === 'PAUSED', 'paused', 10_000);
    await gql(t.url, `mutation ($id: ID!) { resumeJob(id: $id) { __typename } }`, { id: r.job!.id });
    const done = await waitForJob(t.url, r.job!.id, (j) => FINAL_STATUSES.includes(j.status), 'the job to end', 15_000);
    expect(done.status).toBe('COMPLETED');
    expect(await fs.readFile(path.join(t.dataDir, 'library/Slow/Wait/04 Resume.wav'))).toEqual(song);
    // the resumed request asked for the rest only
    expect(ranges[0]).toBe('none');
    expect(ranges.slice(1).some((h) => /^bytes=[1-9]\d*-$/.test(h))).toBe(true);
  });

  it('uploads library files to the second root, verified by size and hash; without one the job fails and says why', async () => {
    const song = buildWav({ artist: 'Local', title: 'Copy Me', album: 'Disk', trackNumber: 7, seconds: 1, toneHz: 500 });
    const songFile = path.join(dir, 'copy-me.wav');
    await fs.writeFile(songFile, song);
    const file = await writePlaylist('Local', [{ title: 'Copy Me', location: songFile }]);
    const uploads = path.join(dir, 'second-root');
    const t = await apps.start({ env: { ROADIE_UPLOAD_DIR: uploads } });
    await addSource(t.url, file);
    const [playlist] = await playlists(t.url);
    const first = await runBulk(t.url, 'syncThenDownloadPlaylists', [playlist!.id]);
    expect((await waitForJob(t.url, first.job!.id, (j) => FINAL_STATUSES.includes(j.status), 'the download', 10_000)).status).toBe('COMPLETED');
    expect(await fs.readFile(songFile)).toEqual(song); // a local song is copied, never moved

    const create = (url: string) =>
      gql<{ createJob: JobResultData }>(url, `mutation ($ids: [ID!]) { createJob(input: { jobType: UPLOAD_ONLY, playlistIds: $ids }) { ${JOB_RESULT_FIELDS} } }`, { ids: [playlist!.id] });
    const up = (await create(t.url)).createJob;
    const done = await waitForJob(t.url, up.job!.id, (j) => FINAL_STATUSES.includes(j.status), 'the upload', 10_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.stages[0]).toMatchObject({ stageType: 'UPLOAD', totalItems: 1, succeededItems: 1 });
    expect(await fs.readFile(path.join(uploads, 'Local/Disk/07 Copy Me.wav'))).toEqual(song);
    expect((await fs.readdir(uploads, { recursive: true })).filter((f) => f.endsWith('.copying'))).toEqual([]);
    // a second upload has nothing left to copy
    const again = (await create(t.url)).createJob;
    const second = await waitForJob(t.url, again.job!.id, (j) => FINAL_STATUSES.includes(j.status), 'the second upload', 10_000);
    expect(second.stages[0]).toMatchObject({ totalItems: 0 });

    const plain = apps.track(await t.restart({ env: {} }));
    const refused = (await create(plain.url)).createJob;
    const failed = await waitForJob(plain.url, refused.job!.id, (j) => FINAL_STATUSES.includes(j.status), 'the refused upload', 10_000);
    expect(failed).toMatchObject({ status: 'FAILED' });
    expect(failed.error).toMatch(/ROADIE_UPLOAD_DIR/);
  });

  it('sets a global speed limit (persisted, pushed to subscribers), refusing a negative one', async () => {
    const t = await apps.start();
    const set = (n: number) =>
      gql<{ setDownloadSpeedLimit: { __typename: string; bytesPerSecond?: number; argument?: string } }>(
        t.url,
        `mutation ($n: Int!) { setDownloadSpeedLimit(bytesPerSecond: $n) { __typename ... on DownloadSpeedLimitPayload { bytesPerSecond } ... on InvalidArgumentError { argument } } }`,
        { n },
      );
    const live = subscribeWs<{ downloadSpeedLimitChanged: number }>(t.wsUrl, 'subscription { downloadSpeedLimitChanged }');
    onTestFinished(() => live.close());
    expect((await live.next(undefined, 3000, 'the current limit')).downloadSpeedLimitChanged).toBe(0);
    expect((await set(-5)).setDownloadSpeedLimit).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'bytesPerSecond' });
    expect((await set(2_000_000)).setDownloadSpeedLimit).toMatchObject({ __typename: 'DownloadSpeedLimitPayload', bytesPerSecond: 2_000_000 });
    // every client hears the change (the refused value was never published)
    expect((await live.next(undefined, 3000, 'the new limit')).downloadSpeedLimitChanged).toBe(2_000_000);
    const restarted = apps.track(await t.restart());
    expect((await gql<{ downloadSpeedLimit: number }>(restarted.url, '{ downloadSpeedLimit }')).downloadSpeedLimit).toBe(2_000_000);
  });
});
