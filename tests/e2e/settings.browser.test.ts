// The settings page against the real app: the Spotify link goes from DISCONNECTED through the
// fake Spotify's authorize page and Roadie's callback back to the page, CONNECTED with the
// account's name and a notice (the query string gone), then is disconnected after a yes; without
// the Spotify variables the page says which are missing; a daemon's switch on the page changes
// it; and the page speaks German. Needs the built SPA (npm run build:web) and Debian's chromium.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSpotify } from '../fakes/spotify.js';
import { launchChromium } from '../helpers/browser.js';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';
import { spotifyEnv } from '../helpers/spotify.js';


/** Off by default, not critical, and nothing depends on it. */
const toggled = 'watchlist';

let browser: Browser;

async function openSettings(app: TestApp): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${app.url}/#/settings`);
  return page;
}

function spotifyState(page: Page): Promise<string | null> {
  return page.getAttribute('[data-testid="spotify-state"]', 'data-state');
}

async function spotifyAccount(url: string): Promise<{ state: string; displayName: string | null }> {
  return (await gql<{ spotify: { state: string; displayName: string | null } }>(url, '{ spotify { state displayName } }')).spotify;
}

async function worker(url: string, name: string): Promise<{ enabled: boolean; dryRun: boolean | null }> {
  const data = await gql<{ worker: { enabled: boolean; details: { dryRun?: boolean } } }>(
    url,
    'query ($name: String!) { worker(name: $name) { enabled details { ... on CleanupDetails { dryRun } } } }',
    { name },
  );
  return { enabled: data.worker.enabled, dryRun: data.worker.details.dryRun ?? null };
}

/** Clicks OK if the app asks (a control may or may not need a yes). */
async function confirmIfAsked(page: Page): Promise<void> {
  const ok = page.locator('[data-testid="confirm-ok"]');
  if (await ok.isVisible()) await ok.click();
}

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('settings page with Spotify configured', () => {
  let app: TestApp;
  let fake: FakeSpotify;

  beforeAll(async () => {
    fake = await new FakeSpotify().start();
    app = await startTestApp({
      env: spotifyEnv(fake),
    });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await fake?.stop();
  });

  it('connects Spotify through the authorize page and back, then disconnects after a yes', async () => {
    const page = await openSettings(app);
    await expect.poll(() => spotifyState(page), { timeout: 15_000 }).toBe('DISCONNECTED');
    expect(await page.getAttribute('[data-testid="nav-settings"]', 'aria-current')).toBe('page');
    expect((await page.textContent('[data-testid="spotify-redirect-uri"]'))?.trim()).toBe(`${app.url}/api/spotify/callback`);
    expect(await page.locator('[data-testid="spotify-notice"]').count()).toBe(0);
    expect(await page.locator('[data-testid="spotify-disconnect"]').count()).toBe(0);

    // Connect: the browser goes to the fake's /authorize (approved at once), then to Roadie's
    // callback, which sends it back to the settings page.
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('spotify') === 'connected', { timeout: 15_000 }),
      page.click('[data-testid="spotify-connect"]'),
    ]);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === '/authorize')).toBe(true);
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/api/token')).toBe(true);

    const notice = page.locator('[data-testid="spotify-notice"]');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.getAttribute('data-tone')).toBe('info');
    expect(await notice.textContent()).toMatch(/Spotify is connected/);
    await expect.poll(() => spotifyState(page), { timeout: 15_000 }).toBe('CONNECTED');
    expect(await page.textContent('[data-testid="spotify-account"]')).toMatch(/Roadie User/);
    expect(await page.textContent('[data-testid="spotify-account"]')).toMatch(/roadie-user/);
    expect(await page.textContent('[data-testid="spotify-section"]')).toMatch(/Token expires/);
    expect((await page.textContent('[data-testid="spotify-scopes"]'))?.trim()).not.toBe('');
    expect((await page.textContent('[data-testid="spotify-redirect-uri"]'))?.trim()).toBe(`${app.url}/api/spotify/callback`);

    // The query string is gone (a reload does not announce it again); the hash route stays.
    await expect.poll(() => new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe('#/settings');
    expect((await spotifyAccount(app.url)).state).toBe('CONNECTED');

    // Disconnect asks first; "no" keeps the link.
    await page.click('[data-testid="spotify-disconnect"]');
    await page.locator('[data-testid="confirm-cancel"]').click();
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
    expect(await spotifyState(page)).toBe('CONNECTED');
    expect((await spotifyAccount(app.url)).state).toBe('CONNECTED');

    await page.click('[data-testid="spotify-disconnect"]');
    await page.locator('[data-testid="confirm-ok"]').click();
    await expect.poll(() => spotifyState(page), { timeout: 15_000 }).toBe('DISCONNECTED');
    expect(await spotifyAccount(app.url)).toEqual({ state: 'DISCONNECTED', displayName: null });
    expect(await page.locator('[data-testid="spotify-connect"]').isVisible()).toBe(true);

    // A reload shows no notice: it was announced once.
    await page.reload();
    await expect.poll(() => spotifyState(page), { timeout: 15_000 }).toBe('DISCONNECTED');
    expect(await page.locator('[data-testid="spotify-notice"]').count()).toBe(0);
    await page.context().close();
  }, 90_000);

  it('shows an error notice when Spotify sends the browser back with an error', async () => {
    const page = await openSettings(app);
    await page.goto(`${app.url}/?spotify=error&code=denied&message=${encodeURIComponent('Spotify did not grant access (access_denied).')}#/settings`);
    const notice = page.locator('[data-testid="spotify-notice"]');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.getAttribute('data-tone')).toBe('error');
    expect(await notice.textContent()).toMatch(/Spotify did not grant access \(access_denied\)\./);
    await expect.poll(() => new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe('#/settings');
    await page.context().close();
  }, 60_000);

  it("switches a daemon and cleanup's dry run from the settings page", async () => {
    const page = await openSettings(app);
    const row = page.locator(`[data-testid="daemon-row-${toggled}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid^="daemon-row-"]').count()).toBe(12);
    expect((await worker(app.url, toggled)).enabled).toBe(false);
    expect(await row.getAttribute('data-enabled')).toBe('false');

    // The switch is an invisible checkbox under its label: click the label.
    await row.locator('label.switch').click();
    await expect.poll(async () => (await worker(app.url, toggled)).enabled, { timeout: 15_000 }).toBe(true);
    await expect.poll(() => row.getAttribute('data-enabled')).toBe('true');
    expect(await page.isChecked(`[data-testid="enabled-${toggled}"]`)).toBe(true);

    await row.locator('label.switch').click();
    await expect
      .poll(
        async () => {
          await confirmIfAsked(page);
          return (await worker(app.url, toggled)).enabled;
        },
        { timeout: 15_000 },
      )
      .toBe(false);
    await expect.poll(() => row.getAttribute('data-enabled')).toBe('false');

    // Turning dry run off asks first (cleanup would then delete for real).
    expect((await worker(app.url, 'cleanup')).dryRun).toBe(true);
    await page.locator('label.switch', { has: page.locator('[data-testid="dry-run-cleanup"]') }).click();
    await page.locator('[data-testid="confirm-ok"]').click();
    await expect.poll(async () => (await worker(app.url, 'cleanup')).dryRun, { timeout: 15_000 }).toBe(false);
    await expect.poll(() => page.isChecked('[data-testid="dry-run-cleanup"]')).toBe(false);

    // The other services, read-only, with a way to their page.
    await page.waitForSelector('[data-testid="settings-service-spotify"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="settings-service-slskd"]')).toMatch(/ROADIE_SLSKD_URL/);
    await page.click('[data-testid="settings-services-link"]');
    await expect.poll(() => new URL(page.url()).hash).toBe('#/services');
    await page.context().close();
  }, 90_000);

  it('speaks German', async () => {
    const page = await openSettings(app);
    await expect.poll(() => spotifyState(page), { timeout: 15_000 }).not.toBeNull();
    expect((await page.textContent('#spotify-title'))?.trim()).toBe('Spotify account');

    await page.click('[data-testid="locale-de"]');
    await expect.poll(async () => (await page.textContent('#spotify-title'))?.trim()).toBe('Spotify-Konto');
    expect((await page.textContent('[data-testid="nav-settings"]'))?.trim()).toBe('Einstellungen');
    expect((await page.textContent('h1'))?.trim()).toBe('Einstellungen');
    expect((await page.textContent('[data-testid="spotify-state"]'))?.trim()).toBe('Nicht verbunden');
    expect((await page.textContent('[data-testid="spotify-connect"]'))?.trim()).toBe('Spotify verbinden');
    await page.context().close();
  }, 60_000);
});

describe('settings page without Spotify configured', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('says which variables are missing and shows the redirect URI, with nothing to connect', async () => {
    const page = await openSettings(app);
    await expect.poll(() => spotifyState(page), { timeout: 15_000 }).toBe('NOT_CONFIGURED');
    const missing = await page.locator('[data-testid="spotify-missing"] li').allTextContents();
    expect(missing.map((m) => m.trim())).toEqual(['ROADIE_SPOTIFY_CLIENT_ID', 'ROADIE_SECRET_KEY']);
    expect((await page.textContent('[data-testid="spotify-redirect-uri"]'))?.trim()).toBe(`${app.url}/api/spotify/callback`);
    expect(await page.locator('[data-testid="spotify-connect"]').count()).toBe(0);
    expect(await page.locator('[data-testid="spotify-disconnect"]').count()).toBe(0);
    await page.context().close();
  }, 60_000);
});
