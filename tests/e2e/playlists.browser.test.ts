// The playlists page against the real app: a folder of M3U files is added as a source through
// the page, its playlists appear, two are synced then downloaded in one job from a slow local
// HTTP server, the app goes to the task center on that job, whose speed, bytes and progress
// move live, and the songs end up filed in the library. Needs the built SPA (npm run build:web)
// and Debian's chromium.
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { buildWav } from '../helpers/audio.js';
import { startSongServer, type SongServer } from '../helpers/song-server.js';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** Bytes a connection gets every tick: 5 kB each 50 ms, about 100 kB/s (two download workers: ~200 kB/s). */
const CHUNK = 5000;
const TICK_MS = 50;

interface Song {
  artist: string;
  title: string;
  album: string;
  track: number;
}

/** Two playlists of five songs of 10 s of 8 kHz audio (80 kB each): about 4 s of downloading. */
const lists: { file: string; name: string; songs: Song[] }[] = [
  {
    file: 'evening.m3u',
    name: 'Evening',
    songs: ['Blue', 'Dusk', 'Lanterns', 'Porch', 'Crickets'].map((title, i) => ({ artist: 'Nina', album: 'Evening Songs', title, track: i + 1 })),
  },
  {
    file: 'morning.m3u',
    name: 'Morning',
    songs: ['Dew', 'Kettle', 'Sunrise', 'Commute', 'Birds'].map((title, i) => ({ artist: 'Otis', album: 'Early Hours', title, track: i + 1 })),
  },
];

let app: TestApp;
let browser: Browser;
let songs: SongServer;
let dir: string;
async function openPage(hash: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${app.url}/${hash}`);
  return page;
}

function row(page: Page, name: string) {
  return page.locator(`[data-testid="playlist-row"][data-name="${name}"]`);
}

describe('playlists', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'roadie-playlists-e2e-'));
    songs = await startSongServer({ chunkBytes: CHUNK, tickMs: TICK_MS });
    const { base } = songs;

    const folder = path.join(dir, 'playlists');
    await mkdir(folder, { recursive: true });
    for (const [l, list] of lists.entries()) {
      const lines = ['#EXTM3U', `#PLAYLIST:${list.name}`];
      for (const [s, song] of list.songs.entries()) {
        const url = `/${list.file}/${s + 1}.wav`;
        const { artist, title, album, track } = song;
        songs.files.set(url, { slow: true, body: buildWav({ artist, title, album, trackNumber: track, seconds: 10, sampleRate: 8000, seed: l * 10 + s + 1 }) });
        lines.push(`#EXTINF:10,${artist} - ${title}`, `${base}${url}`);
      }
      await writeFile(path.join(folder, list.file), `${lines.join('\n')}\n`);
    }

    app = await startTestApp();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await songs?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('adds a folder source, syncs then downloads two playlists, and shows the download live in the task center', async () => {
    const page = await openPage('#/playlists');
    await page.waitForSelector('[data-testid="sources-empty"]', { timeout: 15_000 });
    expect(await page.getAttribute('[data-testid="nav-playlists"]', 'aria-current')).toBe('page');
    expect(await page.locator('[data-testid="playlists-empty"]').count()).toBe(1);

    // A location the API refuses: its InvalidArgumentError is shown, and the input keeps it.
    await page.fill('[data-testid="add-source-input"]', 'not/an/absolute/path.m3u');
    await page.click('[data-testid="add-source-button"]');
    const refused = page.locator('[data-testid="source-feedback"]');
    await refused.waitFor({ timeout: 10_000 });
    expect(await refused.getAttribute('data-tone')).toBe('error');
    expect((await refused.textContent())?.trim()).not.toBe('');
    expect(await page.inputValue('[data-testid="add-source-input"]')).toBe('not/an/absolute/path.m3u');

    // The folder is added through the page; its collect job reads it and the playlists appear.
    const folder = path.join(dir, 'playlists');
    await page.fill('[data-testid="add-source-input"]', folder);
    await page.click('[data-testid="add-source-button"]');
    await expect.poll(() => page.getAttribute('[data-testid="source-feedback"]', 'data-tone'), { timeout: 10_000 }).toBe('info');
    expect(await page.inputValue('[data-testid="add-source-input"]')).toBe('');
    const source = page.locator(`[data-testid="source-row"][data-location="${folder}"]`);
    await source.waitFor({ timeout: 10_000 });
    expect(await source.getAttribute('data-kind')).toBe('FOLDER');

    await expect.poll(() => page.locator('[data-testid="playlist-row"]').count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => source.locator('[data-testid="source-playlists"]').textContent(), { timeout: 10_000 }).toBe('2');
    expect(await row(page, 'Evening').textContent()).toMatch(/0 songs, sync recommended/);
    expect(await row(page, 'Morning').textContent()).toMatch(/never/);

    // Without a selection the bulk actions wait; select-all selects both, then none again.
    for (const action of ['bulk-sync', 'bulk-download', 'bulk-sync-download', 'bulk-wanted', 'bulk-unwanted']) {
      expect(await page.isDisabled(`[data-testid="${action}"]`)).toBe(true);
    }
    await page.check('[data-testid="select-all-playlists"]');
    expect(await page.textContent('[data-testid="selected-count"]')).toBe('2 selected');
    await page.uncheck('[data-testid="select-all-playlists"]');
    expect(await page.textContent('[data-testid="selected-count"]')).toBe('0 selected');

    // Mark one wanted: the flag changes in place.
    await row(page, 'Morning').locator('[data-testid="select-playlist"]').check();
    expect(await page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="select-all-playlists"]')?.indeterminate)).toBe(true);
    await page.click('[data-testid="bulk-wanted"]');
    await expect.poll(() => row(page, 'Morning').getAttribute('data-wanted'), { timeout: 10_000 }).toBe('true');
    expect(await row(page, 'Evening').getAttribute('data-wanted')).toBe('false');

    // Both selected, Sync then download: one job, and the app goes to it in the task center.
    await row(page, 'Evening').locator('[data-testid="select-playlist"]').check();
    expect(await page.textContent('[data-testid="selected-count"]')).toBe('2 selected');
    await page.evaluate(() => Object.assign(window, { __roadieMarker: 'kept' }));
    await page.click('[data-testid="bulk-sync-download"]');
    await page.waitForFunction(() => location.hash.startsWith('#/jobs/'), undefined, { timeout: 10_000 });
    const jobId = Number(/^#\/jobs\/(\d+)$/.exec(await page.evaluate(() => location.hash))?.[1]);
    expect(jobId).toBeGreaterThan(0);
    expect(await page.getAttribute('[data-testid="nav-tasks"]', 'aria-current')).toBe('page');

    const taskRow = page.locator(`[data-testid="task-row-${jobId}"]`);
    await taskRow.waitFor({ timeout: 10_000 });
    expect(await taskRow.getAttribute('aria-current')).toBe('true');
    expect(await taskRow.textContent()).toMatch(/2 playlists/);
    await page.locator(`[data-testid="job-detail-${jobId}"]`).waitFor({ timeout: 10_000 });
    expect(await page.getAttribute(`[data-testid="expand-job-${jobId}"]`, 'aria-expanded')).toBe('true');

    // The download's speed appears in the row, measured, with bytes and the time left …
    const speed = page.locator(`[data-testid="task-transfer-${jobId}-speed"]`);
    await expect.poll(async () => (await speed.count()) > 0 && /\d.*[kM]B\/s/.test((await speed.textContent()) ?? ''), { timeout: 20_000 }).toBe(true);
    const progress = page.locator(`[data-testid="task-progress-${jobId}"]`);
    const progressThen = await progress.getAttribute('aria-valuetext');
    const bytes = page.locator(`[data-testid="task-transfer-${jobId}-bytes"]`);
    await expect.poll(async () => /\/ \d+(\.\d)? kB/.test((await bytes.textContent().catch(() => null)) ?? ''), { timeout: 10_000 }).toBe(true);
    // … and they move while the songs come in.
    const bytesThen = await bytes.textContent();
    await expect.poll(async () => (await bytes.count()) === 0 || (await bytes.textContent()) !== bytesThen, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => progress.getAttribute('aria-valuetext'), { timeout: 15_000 }).not.toBe(progressThen);

    // The detail shows the workers' live transfers and the speed's history as a sparkline.
    const detail = page.locator(`[data-testid="job-detail-${jobId}"]`);
    await expect.poll(() => detail.locator('[data-testid="speed-sparkline"] canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(Number(await detail.locator('[data-testid="speed-sparkline"]').getAttribute('data-samples'))).toBeGreaterThan(1);
    expect(await detail.locator('[data-testid="speed-sparkline"]').getAttribute('aria-label')).toMatch(/peak \d/);
    // A little more history, and a known speed, for the screenshot (unless the download is over by then).
    await page.waitForFunction(
      (id) => {
        const running = document.querySelector(`[data-testid="task-row-${id}"]`)?.getAttribute('data-status') === 'RUNNING';
        const samples = document.querySelector(`[data-testid="job-detail-${id}"] [data-testid="speed-sparkline"]`)?.getAttribute('data-samples');
        const speedNow = document.querySelector(`[data-testid="task-transfer-${id}-speed"]`)?.textContent ?? '';
        return !running || (Number(samples) >= 8 && /\d/.test(speedNow));
      },
      jobId,
      { timeout: 10_000 },
    );
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}playlists-download.png`, fullPage: true });

    await expect.poll(() => taskRow.getAttribute('data-status'), { timeout: 45_000 }).toBe('COMPLETED');
    // A finished job has no rate: the speed is "—", not the last one seen.
    expect((await taskRow.locator('td.speed').textContent())?.trim()).toBe('—');
    expect(await page.evaluate(() => (window as unknown as { __roadieMarker?: string }).__roadieMarker)).toBe('kept');

    // Every song is in the library as Artist/Album/NN Title.wav.
    for (const list of lists) {
      for (const song of list.songs) {
        const file = path.join(app.dataDir, 'library', song.artist, song.album, `${String(song.track).padStart(2, '0')} ${song.title}.wav`);
        await expect(access(file)).resolves.toBeUndefined();
      }
    }

    // Back on the playlists page, the counts are the synced and downloaded ones.
    await page.click('[data-testid="nav-playlists"]');
    await expect.poll(() => row(page, 'Evening').getAttribute('data-downloaded'), { timeout: 10_000 }).toBe('5');
    expect(await row(page, 'Evening').textContent()).toMatch(/5 songs/);
    expect(await row(page, 'Morning').locator('[data-testid="playlist-downloaded"]').textContent()).toBe('5 / 5');
    await page.screenshot({ path: `${artifacts}playlists.png`, fullPage: true });
    await page.context().close();
  }, 120_000);

  it('sets the global download speed limit in the task center', async () => {
    const page = await openPage('#/tasks');
    const current = page.locator('[data-testid="speed-limit-current"]');
    await expect.poll(() => current.textContent(), { timeout: 15_000 }).toBe('Unlimited');

    await page.fill('[data-testid="speed-limit-input"]', '1.5');
    await page.selectOption('[data-testid="speed-limit-unit"]', 'MB');
    await page.click('[data-testid="speed-limit-save"]');
    await expect.poll(() => page.getAttribute('[data-testid="speed-limit"]', 'data-limit'), { timeout: 10_000 }).toBe('1500000');
    expect(await current.textContent()).toBe('1.5 MB/s');
    // A limit that is not a whole number of MB/s is shown in kB/s.
    expect(await page.inputValue('[data-testid="speed-limit-input"]')).toBe('1500');
    expect(await page.inputValue('[data-testid="speed-limit-unit"]')).toBe('kB');

    // A negative limit is not sent.
    await page.fill('[data-testid="speed-limit-input"]', '-3');
    expect(await page.isDisabled('[data-testid="speed-limit-save"]')).toBe(true);

    await page.fill('[data-testid="speed-limit-input"]', '0');
    await page.click('[data-testid="speed-limit-save"]');
    await expect.poll(() => current.textContent(), { timeout: 10_000 }).toBe('Unlimited');
    await page.context().close();
  }, 60_000);

  it('removes a source after asking, and its playlists with it', async () => {
    const page = await openPage('#/playlists');
    await expect.poll(() => page.locator('[data-testid="playlist-row"]').count(), { timeout: 15_000 }).toBe(2);
    await page.click('[data-testid="remove-source"]');
    expect(await page.textContent('#confirm-title')).toMatch(/Remove this source/);
    await page.click('[data-testid="confirm-cancel"]');
    expect(await page.locator('[data-testid="source-row"]').count()).toBe(1);

    await page.click('[data-testid="remove-source"]');
    await page.click('[data-testid="confirm-ok"]');
    await page.waitForSelector('[data-testid="sources-empty"]', { timeout: 10_000 });
    await page.waitForSelector('[data-testid="playlists-empty"]', { timeout: 10_000 });
    await page.context().close();
  }, 60_000);
});
