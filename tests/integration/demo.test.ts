import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseBuffer, parseFile } from 'music-metadata';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { demoSongs, previousDemoPort, seedDemo, startDemoServer, waitForDemoJob, writeDemoPlaylists } from '../../scripts/demo-lib.js';
import { appPerTest } from '../helpers/app.js';

const apps = appPerTest();
let dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-demo-'));
  dirs.push(dir);
  return dir;
}

describe('npm run demo, without the SPA build', () => {
  it('serves its songs with Content-Length, ETag and byte ranges (206, If-Range, 416)', async () => {
    const server = await startDemoServer({ bytesPerSecond: 0 });
    onTestFinished(() => server.close());
    const song = server.songs[0]!;
    const url = `${server.url}${song.urlPath}`;

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(song.bytes.length));
    expect(whole.headers.get('etag')).toBe(song.etag);
    expect(Buffer.from(await whole.arrayBuffer()).equals(song.bytes)).toBe(true); // (toEqual on 0.7 MB takes seconds)

    const part = await fetch(url, { headers: { range: 'bytes=100-' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-${song.bytes.length - 1}/${song.bytes.length}`);
    expect(part.headers.get('content-length')).toBe(String(song.bytes.length - 100));
    expect(Buffer.from(await part.arrayBuffer()).equals(song.bytes.subarray(100))).toBe(true);

    // a range for another version of the file comes back whole; one past the end is 416
    const changed = await fetch(url, { headers: { range: 'bytes=100-', 'if-range': '"not-this-one"' } });
    expect(changed.status).toBe(200);
    expect((await changed.arrayBuffer()).byteLength).toBe(song.bytes.length);
    const past = await fetch(url, { headers: { range: `bytes=${song.bytes.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${song.bytes.length}`);
    await past.arrayBuffer();
    expect((await fetch(`${server.url}/songs/nope.wav`)).status).toBe(404);
  });

  it('throttles each connection to about the rate it is given', async () => {
    const server = await startDemoServer({ bytesPerSecond: 1_000_000 });
    onTestFinished(() => server.close());
    const song = server.songs.find((s) => s.bytes.length > 600_000)!;
    const t0 = performance.now();
    const body = await (await fetch(`${server.url}${song.urlPath}`)).arrayBuffer();
    const seconds = (performance.now() - t0) / 1000;
    expect(body.byteLength).toBe(song.bytes.length);
    expect(seconds).toBeGreaterThan((song.bytes.length / 1_000_000) * 0.8);
    expect(seconds).toBeLessThan((song.bytes.length / 1_000_000) * 3);
  });

  it('seeds Roadie: every song is synced, downloaded, verified and filed as Artist/Album/NN Title.wav, untagged ones tagged; a second seed is fine', async () => {
    const server = await startDemoServer({ bytesPerSecond: 20_000_000 });
    onTestFinished(() => server.close());
    const playlistsDir = path.join(await tempDir(), 'playlists');
    const files = await writeDemoPlaylists(playlistsDir, server.url);
    expect(files.map((f) => path.basename(f))).toEqual(['Road Trip.json', 'Late Night.m3u8', 'Low Static.m3u8']);
    expect(await previousDemoPort(playlistsDir)).toBe(server.port);
    const roadTrip = JSON.parse(await fs.readFile(files[0]!, 'utf8')) as { tracks: { sizeBytes: number; sha256: string; album: string; trackNumber: number }[] };
    expect(roadTrip.tracks.every((t) => t.sizeBytes > 0 && /^[0-9a-f]{64}$/.test(t.sha256) && t.album && t.trackNumber)).toBe(true);
    expect(await fs.readFile(files[1]!, 'utf8')).toContain('#EXTINF:29,Mira Solace - Paper Boats\n');

    const t = await apps.start();
    const lines: string[] = [];
    const seed = await seedDemo(t.url, playlistsDir, { log: (l) => lines.push(l) });
    expect(seed.sourceAdded).toBe(true);
    expect(seed.playlists.map((p) => p.name).sort()).toEqual(['Late Night', 'Low Static', 'Road Trip']);

    const job = await waitForDemoJob(t.url, seed.jobId, { timeoutMs: 15_000 });
    expect(job.status).toBe('COMPLETED');
    const songs = demoSongs();
    expect(job.stages.map((s) => [s.stageType, s.totalItems, s.succeededItems])).toEqual([
      ['SYNC', 3, 3],
      ['DOWNLOAD', songs.length, songs.length], // Paper Boats, Radio Silence … are on two playlists: one download each
    ]);

    const library = path.join(t.dataDir, 'library');
    const filed = (await fs.readdir(library, { recursive: true, encoding: 'utf8' })).filter((f) => f.endsWith('.wav')).sort();
    expect(filed).toEqual(songs.map((s) => s.libraryPath).sort());
    expect(filed).toContain('Mira Solace/Glass Orchard/02 Orchard in Winter.wav');

    const tagged = songs.find((s) => s.tagged)!;
    expect((await fs.readFile(path.join(library, tagged.libraryPath))).equals(tagged.bytes)).toBe(true); // filed as served
    const untagged = songs.filter((s) => !s.tagged);
    expect(untagged.length).toBeGreaterThanOrEqual(2);
    for (const s of untagged) {
      const before = (await parseBuffer(s.bytes, { mimeType: 'audio/wav' })).common;
      expect([before.artist, before.title]).toEqual([undefined, undefined]); // served without tags
      const { common } = await parseFile(path.join(library, s.libraryPath));
      expect(common).toMatchObject({ artist: s.artist, title: s.title, album: s.album, track: { no: s.trackNumber } });
    }

    // a second run on the same folder: the source is there already, nothing is left to download
    const again = await seedDemo(t.url, playlistsDir, { log: (l) => lines.push(l) });
    expect(again).toMatchObject({ sourceAdded: false, sourceId: seed.sourceId });
    expect(lines.some((l) => l.includes('is a playlist source already'))).toBe(true);
    const second = await waitForDemoJob(t.url, again.jobId, { timeoutMs: 10_000 });
    expect(second.status).toBe('COMPLETED');
    expect(second.stages.find((s) => s.stageType === 'DOWNLOAD')).toMatchObject({ totalItems: 0 });
  });
});
