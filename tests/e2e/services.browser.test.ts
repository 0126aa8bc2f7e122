// The Services panel against the real app: every service with its state (UP, DOWN, not
// configured), the latency of an UP one, the last error of a DOWN one, when it was last checked,
// and a change of a connection shown live, without a reload. Needs the built SPA and chromium.
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlskd } from '../fakes/slskd.js';
import { launchChromium } from '../helpers/browser.js';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';

let browser: Browser;
let slskd: FakeSlskd;
let app: TestApp;
/** A port nothing listens on: connections are refused. */
let closedPort: number;

beforeAll(async () => {
  browser = await launchChromium();
  slskd = await new FakeSlskd().start();
  closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
  app = await startTestApp({
    env: {
      ROADIE_SLSKD_URL: slskd.url,
      ROADIE_SLSKD_API_KEY: slskd.apiKey,
      ROADIE_DEEZER_URL: `http://127.0.0.1:${closedPort}`,
      ROADIE_AUTOSTART: 'false',
    },
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slskd?.stop();
  await browser?.close();
});

const row = (page: Page, name: string) => page.locator(`[data-testid="service-${name}"]`);

describe('Services panel', () => {
  it('shows each service up, down or not configured, with latency, last error and last check, and follows changes live', async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await page.goto(`${app.url}/#/services`);
    await expect.poll(() => row(page, 'slskd').getAttribute('data-state'), { timeout: 15_000 }).toBe('UP');
    await expect.poll(() => row(page, 'deezer').getAttribute('data-state'), { timeout: 15_000 }).toBe('DOWN');
    expect(await row(page, 'spotify').getAttribute('data-state')).toBe('NOT_CONFIGURED');

    const slskdCells = await row(page, 'slskd').locator('td').allTextContents();
    expect(slskdCells[1]).toMatch(/\d+\s*ms/); // the probe's latency
    expect(slskdCells[2]).not.toBe(''); // when it was checked
    expect(slskdCells[3]).toBe(slskd.url);
    const deezerCells = await row(page, 'deezer').locator('td').allTextContents();
    expect(deezerCells[4]).toMatch(/ECONNREFUSED|fetch failed|connect/i); // why it is down

    // a change of the slskd connection (as the Settings page makes it) shows without a reload
    await page.evaluate(() => Object.assign(window, { __kept: true }));
    await gql(app.url, 'mutation { updateServiceConnection(input: { slskdApiKey: "wrong-key" }) { __typename } }');
    await expect.poll(() => row(page, 'slskd').getAttribute('data-state'), { timeout: 15_000 }).toBe('DOWN');
    expect(await row(page, 'slskd').locator('td').nth(4).textContent()).toMatch(/401|unauthorized/i);
    expect(await page.evaluate(() => (window as unknown as { __kept?: boolean }).__kept)).toBe(true);
  });
});
