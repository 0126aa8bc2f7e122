// The SPA notices a dropped live connection, says so, and takes a fresh snapshot after the
// server comes back: a change made while the page was disconnected shows without a reload.
import { rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp | null = null;
let browser: Browser;

describe('connection loss', () => {
  beforeAll(async () => {
    app = await startTestApp({ keepData: true });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) await rm(app.dataDir, { recursive: true, force: true });
  });

  it('shows a banner while disconnected and a fresh snapshot after reconnecting', async () => {
    const first = app as TestApp;
    const port = new URL(first.url).port;
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await page.goto(first.url);
    const watchlist = page.locator('[data-testid="worker-watchlist"]');
    await expect.poll(() => watchlist.getAttribute('data-state'), { timeout: 15_000 }).toBe('REGISTERED');
    await page.evaluate(() => Object.assign(window, { __roadieMarker: 'kept' }));
    const banner = page.getByTestId('connection-banner');
    expect(await banner.count()).toBe(0);

    // The server goes away: the banner appears.
    await first.stop();
    app = null;
    await banner.waitFor({ state: 'visible', timeout: 10_000 });

    // While the page is cut off, another process on another port enables watchlist (persisted).
    const elsewhere = await startTestApp({ dataDir: first.dataDir });
    await gql(elsewhere.url, 'mutation { setWorkerEnabled(name: "watchlist", enabled: true) { __typename } }');
    await elsewhere.stop();
    expect(await watchlist.getAttribute('data-state')).toBe('REGISTERED');

    // Roadie comes back on the page's port: only a fresh snapshot can show watchlist running.
    app = await startTestApp({ dataDir: first.dataDir, env: { PORT: port } });
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(() => watchlist.getAttribute('data-state'), { timeout: 10_000 }).toBe('RUNNING');
    expect(await page.evaluate(() => (window as unknown as { __roadieMarker?: string }).__roadieMarker)).toBe('kept');
  });
});
