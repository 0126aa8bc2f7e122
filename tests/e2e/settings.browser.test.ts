// The settings page against the real app: the Spotify link goes from DISCONNECTED through the
// fake Spotify's authorize page and Roadie's callback back to the page, CONNECTED with the
// account's name and a notice (the query string gone), then is disconnected after a yes; without
// the Spotify variables the page says which are missing; a daemon's switch on the page changes
// it; the slskd connection is set in the form against a fake slskd (a bad URL changes nothing,
// a good one brings slskd UP, the key never comes back) and cleared again; and the page speaks
// German. Needs the built SPA (npm run build:web) and Debian's chromium.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlskd } from '../fakes/slskd.js';
import { FakeSpotify } from '../fakes/spotify.js';
import { launchChromium } from '../helpers/browser.js';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';
import { spotifyEnv } from '../helpers/spotify.js';
import { serviceConnection } from '../helpers/connections.js';

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


/** Where the form says a field's value comes from. */
function fieldSource(page: Page, field: string): Promise<string | null> {
  return page.getAttribute(`[data-testid="connection-source-${field}"]`, 'data-source');
}

async function text(page: Page, selector: string): Promise<string | undefined> {
  return (await page.textContent(selector))?.trim();
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

    // The other services, read-only, with a way to their page (slskd and MusicBrainz are in the form).
    await page.waitForSelector('[data-testid="settings-service-spotify"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="settings-service-coverart"]')).toMatch(/ROADIE_COVERART_URL/);
    expect(await page.locator('[data-testid="settings-service-slskd"]').count()).toBe(0);
    expect(await page.locator('[data-testid="settings-service-musicbrainz"]').count()).toBe(0);
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

describe('settings page: the slskd and MusicBrainz connections', () => {
  let app: TestApp;
  let slskd: FakeSlskd;

  beforeAll(async () => {
    slskd = await new FakeSlskd().start();
    slskd.apiKey = `roadie-key-${randomUUID()}`;
    // Nothing from the environment: every field starts UNSET.
    app = await startTestApp();
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await slskd?.stop();
  });

  it('sets slskd in the form: a bad URL changes nothing, the fake goes UP, the key never comes back, then clears it', async () => {
    const page = await openSettings(app);
    // What the page sends (each save's input) and every answer it gets over HTTP.
    const inputs: Record<string, unknown>[] = [];
    const answers: Promise<string>[] = [];
    page.on('request', (request) => {
      if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return;
      const body = request.postDataJSON() as { operationName?: string; variables?: { input?: Record<string, unknown> } };
      if (body.operationName === 'UpdateServiceConnection') inputs.push(body.variables?.input ?? {});
    });
    page.on('response', (response) => {
      if (response.url().endsWith('/graphql')) answers.push(response.text().catch(() => ''));
    });

    const url = page.locator('[data-testid="connection-slskd-url"]');
    const key = page.locator('[data-testid="connection-slskd-key"]');
    const dir = page.locator('[data-testid="connection-slskd-dir"]');
    const contact = page.locator('[data-testid="connection-mb-contact"]');
    const save = page.locator('[data-testid="connection-save"]');
    const saved = page.locator('[data-testid="connection-saved"]');
    const folder = '/srv/slskd/downloads';

    await url.waitFor({ timeout: 15_000 });
    for (const field of ['slskdUrl', 'slskdApiKey', 'slskdDownloadsDir', 'musicbrainzUrl', 'musicbrainzContact']) {
      expect(await fieldSource(page, field)).toBe('UNSET');
    }
    expect(await text(page, '[data-testid="connection-source-slskdUrl"]')).toBe('not set');
    expect(await key.getAttribute('type')).toBe('password');
    expect(await key.getAttribute('placeholder')).toBe('not set');
    expect(await save.isDisabled()).toBe(true);
    await expect
      .poll(() => page.getAttribute('[data-testid="connection-state-slskd"]', 'data-state'), { timeout: 15_000 })
      .toBe('NOT_CONFIGURED');
    // The other services stay a read-only list with a way to their page.
    expect(await page.locator('[data-testid="settings-service-deezer"]').count()).toBe(1);
    expect(await page.locator('[data-testid="settings-services-link"]').count()).toBe(1);

    // A URL slskd cannot have: refused next to the URL field, and nothing is saved (not the key, not the folder).
    await url.fill('ftp://x');
    await key.fill(slskd.apiKey);
    await dir.fill(folder);
    await save.click();
    const urlError = page.locator('[data-testid="connection-error-slskdUrl"]');
    await urlError.waitFor({ timeout: 15_000 });
    expect(await urlError.textContent()).toMatch(/slskdUrl/);
    expect(await page.locator('.field', { has: url }).locator('[data-testid="connection-error-slskdUrl"]').count()).toBe(1);
    expect(await page.locator('[data-testid^="connection-error-"]').count()).toBe(1);
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    expect(await saved.count()).toBe(0);
    expect(inputs).toEqual([{ slskdUrl: 'ftp://x', slskdApiKey: slskd.apiKey, slskdDownloadsDir: folder }]);
    const refused = await serviceConnection(app.url);
    expect(refused.connection).toMatchObject({ slskdUrl: null, slskdApiKeySet: false, slskdDownloadsDir: null });
    expect(Object.values(refused.connection.sources)).toEqual(['UNSET', 'UNSET', 'UNSET', 'UNSET', 'UNSET']);
    expect(await fieldSource(page, 'slskdUrl')).toBe('UNSET');

    // The fake's URL (the key and folder still typed): taken, confirmed, the key field empty again.
    await url.fill(slskd.url);
    expect(await urlError.count()).toBe(0);
    await save.click();
    await saved.waitFor({ timeout: 15_000 });
    expect(inputs.at(-1)).toEqual({ slskdUrl: slskd.url, slskdApiKey: slskd.apiKey, slskdDownloadsDir: folder });
    expect(await key.inputValue()).toBe('');
    expect(await key.getAttribute('placeholder')).toBe('set — leave empty to keep');
    expect(await url.inputValue()).toBe(slskd.url);
    expect(await dir.inputValue()).toBe(folder);
    for (const field of ['slskdUrl', 'slskdApiKey', 'slskdDownloadsDir']) expect(await fieldSource(page, field)).toBe('SETTINGS');
    expect(await text(page, '[data-testid="connection-source-slskdUrl"]')).toBe('set here');
    expect(await fieldSource(page, 'musicbrainzUrl')).toBe('UNSET');
    expect(await save.isDisabled()).toBe(true);
    const taken = await serviceConnection(app.url);
    expect(taken.connection).toMatchObject({ slskdUrl: slskd.url, slskdApiKeySet: true, slskdDownloadsDir: folder });
    expect(taken.text).not.toContain(slskd.apiKey);

    // Probed again at once: the fake answers its application endpoint with the key.
    await expect
      .poll(() => page.getAttribute('[data-testid="connection-state-slskd"]', 'data-state'), { timeout: 15_000 })
      .toBe('UP');
    expect(slskd.requests.some((r) => r.path === '/api/v0/application' && r.apiKey === slskd.apiKey)).toBe(true);
    expect(await page.content()).not.toContain(slskd.apiKey);

    // Only what changed is sent; the key only when typed.
    await contact.fill('roadie@example.org');
    expect(await saved.count()).toBe(0);
    await save.click();
    await saved.waitFor({ timeout: 15_000 });
    expect(inputs.at(-1)).toEqual({ musicbrainzContact: 'roadie@example.org' });
    expect(await fieldSource(page, 'musicbrainzContact')).toBe('SETTINGS');
    expect((await serviceConnection(app.url)).connection.slskdApiKeySet).toBe(true);

    // Remove the key: sends "" for it alone; the URL stays set here.
    await page.click('[data-testid="connection-clear-slskdApiKey"]');
    await expect.poll(async () => (await serviceConnection(app.url)).connection.slskdApiKeySet, { timeout: 15_000 }).toBe(false);
    expect(inputs.at(-1)).toEqual({ slskdApiKey: '' });
    await expect.poll(() => key.getAttribute('placeholder')).toBe('not set');
    expect(await fieldSource(page, 'slskdApiKey')).toBe('UNSET');
    expect(await page.locator('[data-testid="connection-clear-slskdApiKey"]').count()).toBe(0);
    expect(await fieldSource(page, 'slskdUrl')).toBe('SETTINGS');

    // "Use environment" for the folder: nothing in the environment, so not set.
    await page.click('[data-testid="connection-clear-slskdDownloadsDir"]');
    await expect.poll(() => fieldSource(page, 'slskdDownloadsDir'), { timeout: 15_000 }).toBe('UNSET');
    expect(inputs.at(-1)).toEqual({ slskdDownloadsDir: '' });
    expect(await dir.inputValue()).toBe('');
    expect((await serviceConnection(app.url)).connection).toMatchObject({ slskdUrl: slskd.url, slskdDownloadsDir: null });

    // No answer the page got, and nothing on the page, ever had the key.
    const bodies = await Promise.all(answers);
    expect(bodies.some((b) => b.includes('slskdApiKeySet'))).toBe(true);
    for (const body of bodies) expect(body).not.toContain(slskd.apiKey);
    expect(await page.content()).not.toContain(slskd.apiKey);

    // In German.
    await page.click('[data-testid="locale-de"]');
    await expect.poll(() => text(page, 'label[for="connection-slskdUrl"]')).toBe('slskd-URL');
    expect(await text(page, '[data-testid="connection-source-slskdUrl"]')).toBe('hier gesetzt');
    expect(await text(page, '[data-testid="connection-source-slskdApiKey"]')).toBe('nicht gesetzt');
    expect(await key.getAttribute('placeholder')).toBe('nicht gesetzt');
    expect(await text(page, '[data-testid="connection-save"]')).toBe('Speichern');
    expect(await text(page, '[data-testid="connection-clear-slskdUrl"]')).toBe('Umgebung verwenden');
    await page.context().close();
  }, 90_000);
});
