// The SPA against the real app: every daemon shows up, a stop click turns into STOPPED through
// the live subscription (no reload), the status indicator is there, and German can be chosen.
// Needs the built SPA (npm run build:web) and Debian's chromium.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { DAEMON_NAMES } from '../helpers/daemons.js';
import { startTestApp, type TestApp } from '../helpers/app.js';


/** Running by default, not required, and nothing depends on it in the seeds. */
const target = 'queue_dispatcher';
const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

let app: TestApp;
let browser: Browser;

async function openApp(): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-US',
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  await page.goto(app.url);
  return page;
}

function stateOf(page: Page, name: string): Promise<string | null> {
  return page.getAttribute(`[data-testid="worker-${name}"]`, 'data-state');
}

describe('workers page', () => {
  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('lists all twelve daemons and shows a stop live, without a reload', async () => {
    const page = await openApp();
    for (const name of DAEMON_NAMES) {
      await page.waitForSelector(`[data-testid="worker-${name}"]`, { timeout: 15_000 });
    }
    await expect.poll(() => page.locator('[data-testid^="worker-"]').count()).toBe(12);

    // The daemons may still be starting right after boot.
    await expect.poll(() => stateOf(page, target), { timeout: 15_000 }).toBe('RUNNING');

    // A marker on window survives only if the page is never reloaded.
    await page.evaluate(() => Object.assign(window, { __roadieMarker: 'kept' }));

    await page.click(`[data-testid="stop-${target}"]`);
    // Confirm if the app asks (a required daemon, or others depending on it).
    await expect
      .poll(
        async () => {
          const confirm = page.locator('[data-testid="confirm-ok"]');
          if (await confirm.isVisible()) await confirm.click();
          return stateOf(page, target);
        },
        { timeout: 15_000 },
      )
      .toBe('STOPPED');
    await page.waitForSelector(`[data-testid="worker-${target}"][data-state="STOPPED"]`);
    expect(await page.evaluate(() => (window as unknown as { __roadieMarker?: string }).__roadieMarker)).toBe(
      'kept',
    );
    await expect.poll(() => page.isVisible(`[data-testid="start-${target}"]`)).toBe(true);

    const indicator = page.locator('[data-testid="status-indicator"]');
    expect(await indicator.count()).toBe(1);
    expect(['idle', 'active', 'error', 'stopped']).toContain(await indicator.getAttribute('data-overall'));
    expect(await indicator.getAttribute('aria-label')).toBeTruthy();

    // The popover opens on hover and lists every daemon.
    await indicator.hover();
    await expect.poll(() => indicator.getAttribute('aria-expanded')).toBe('true');
    await expect
      .poll(() => page.locator('[data-testid="status-popover"] li').count())
      .toBeGreaterThanOrEqual(12);
    await page.keyboard.press('Escape');
    await page.mouse.move(900, 600);
    await expect.poll(() => indicator.getAttribute('aria-expanded')).toBe('false');

    // Keyboard: Tab reaches the indicator, Enter opens it (with the service grid), Escape closes it.
    await indicator.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => indicator.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('[data-testid="status-popover"]').textContent()).toMatch(/MusicBrainz/);
    await page.keyboard.press('Escape');
    await expect.poll(() => indicator.getAttribute('aria-expanded')).toBe('false');
    await page.mouse.move(900, 600);

    // A viewport as tall as the page, so the sticky sidebar is drawn as a person would see it.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1400, height: Math.min(height, 6000) });
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}workers.png` });
    await page.context().close();
  }, 90_000);

  it('switches to German and remembers it', async () => {
    const page = await openApp();
    await page.waitForSelector(`[data-testid="worker-${target}"]`, { timeout: 15_000 });
    expect((await page.textContent('[data-testid="nav-services"]'))?.trim()).toBe('Services');

    await page.click('[data-testid="locale-de"]');
    await expect.poll(async () => (await page.textContent('[data-testid="nav-services"]'))?.trim()).toBe('Dienste');
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    // Relative times are German too ("vor 5 Min.", "gerade eben", "noch nie", …).
    await expect
      .poll(() => page.locator('[data-testid="worker-watchlist"]').textContent())
      .toMatch(/noch nie|gerade eben|vor \d|jetzt|in \d/);

    await page.reload();
    await page.waitForSelector(`[data-testid="worker-${target}"]`, { timeout: 15_000 });
    expect((await page.textContent('[data-testid="nav-services"]'))?.trim()).toBe('Dienste');

    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}workers-de.png` });
    await page.context().close();
  }, 60_000);
});
