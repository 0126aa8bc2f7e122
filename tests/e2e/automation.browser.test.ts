// The automation page against the real app: without MusicBrainz it names the variables to set
// and shows the three daemons live; an artist is watched from the form (a second spelling is
// refused inline) and removed after a yes; with a fake MusicBrainz a Discography run fills the
// missing albums without a reload; and the page speaks German. Needs the built SPA
// (npm run build:web) and Debian's chromium.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMusicBrainz, type FakeArtist } from '../fakes/musicbrainz.js';
import { launchChromium } from '../helpers/browser.js';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';
import { controlOk, getWorker, runCycleNow } from '../helpers/graphql.js';

const DAEMONS = ['watchlist', 'discography', 'quality_upgrade'] as const;
/** The state badge's English words. */
const STATE_LABELS: Record<string, string> = { REGISTERED: 'Registered', STOPPED: 'Stopped', RUNNING: 'Running' };

let browser: Browser;

async function openAutomation(app: TestApp): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${app.url}/#/automation`);
  return page;
}

interface Watched {
  id: string;
  name: string;
  origin: string;
  mbid: string | null;
  missingAlbums: number;
}

async function watched(url: string): Promise<Watched[]> {
  return (await gql<{ watchedArtists: Watched[] }>(url, '{ watchedArtists { id name origin mbid missingAlbums } }')).watchedArtists;
}

function daemonState(page: Page, name: string): Promise<string | null> {
  return page.getAttribute(`[data-testid="automation-daemon-${name}"]`, 'data-state');
}

/** Types a name into the form and submits it with the button. */
async function watchFromForm(page: Page, name: string): Promise<void> {
  await page.fill('[data-testid="watch-artist-input"]', name);
  await page.click('[data-testid="watch-artist-submit"]');
}

/** A marker on window survives only if the page is never reloaded. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { __roadieMarker: 'kept' }));
}

function marker(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window as unknown as { __roadieMarker?: string }).__roadieMarker);
}

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('automation page without MusicBrainz configured', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0' } });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('names the variables to set and shows the three daemons with their state, live', async () => {
    const page = await openAutomation(app);
    const notice = page.locator('[data-testid="automation-missing-config"]');
    await notice.waitFor({ timeout: 15_000 });
    const text = await notice.textContent();
    expect(text).toContain('ROADIE_MUSICBRAINZ_URL');
    expect(text).toContain('ROADIE_MUSICBRAINZ_CONTACT');
    expect(await page.getAttribute('[data-testid="nav-automation"]', 'aria-current')).toBe('page');

    // The nav entry sits between Playlists and Services.
    const nav = await page.locator('nav a[data-testid^="nav-"]').evaluateAll((links) =>
      links.map((link) => link.getAttribute('data-testid')),
    );
    expect(nav.indexOf('nav-automation')).toBe(nav.indexOf('nav-playlists') + 1);
    expect(nav.indexOf('nav-services')).toBe(nav.indexOf('nav-automation') + 1);

    // The three daemons, in the API's order, each with the state the API reports (off by default).
    for (const name of DAEMONS) {
      await page.waitForSelector(`[data-testid="automation-daemon-${name}"]`, { timeout: 15_000 });
      const state = (await getWorker(app.url, name))!.state;
      expect(['REGISTERED', 'STOPPED']).toContain(state);
      await expect.poll(() => daemonState(page, name), { timeout: 15_000 }).toBe(state);
      const badge = await page.textContent(`[data-testid="automation-daemon-${name}"] .badge`);
      expect(badge?.trim()).toBe(STATE_LABELS[state]);
    }
    const shown = await page.locator('[data-testid^="automation-daemon-"]').evaluateAll((cards) =>
      cards.map((card) => card.getAttribute('data-testid')),
    );
    expect(shown).toEqual(DAEMONS.map((name) => `automation-daemon-${name}`));
    expect(await page.locator('[data-testid="missing-albums-empty"]').isVisible()).toBe(true);

    // Start from the card: RUNNING and its activity arrive through the subscription.
    await markPage(page);
    await page.click('[data-testid="start-watchlist"]');
    await expect.poll(() => daemonState(page, 'watchlist'), { timeout: 15_000 }).toBe('RUNNING');
    await expect
      .poll(() => page.textContent('[data-testid="automation-activity-watchlist"]'), { timeout: 15_000 })
      .toMatch(/Waiting for MusicBrainz to be configured/);
    expect((await getWorker(app.url, 'watchlist'))!.state).toBe('RUNNING');
    // Start does not enable (that is "starts with Roadie"); the switch does, and starts it too.
    expect(await page.isChecked('[data-testid="enabled-watchlist"]')).toBe((await getWorker(app.url, 'watchlist'))!.enabled);
    const discography = page.locator('[data-testid="automation-daemon-discography"]');
    expect(await page.isChecked('[data-testid="enabled-discography"]')).toBe(false);
    await discography.locator('label.switch').click();
    await expect.poll(async () => (await getWorker(app.url, 'discography'))!.enabled, { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.isChecked('[data-testid="enabled-discography"]'), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => daemonState(page, 'discography'), { timeout: 15_000 }).toBe('RUNNING');
    expect(await marker(page)).toBe('kept');
    await page.context().close();
  }, 60_000);

  it('watches an artist from the form, refuses a second spelling inline, and removes it after a yes', async () => {
    const page = await openAutomation(app);
    await page.locator('[data-testid="watched-empty"]').waitFor({ timeout: 15_000 });

    await watchFromForm(page, 'Nina');
    const row = page.locator('[data-testid="watched-row"][data-name="Nina"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-origin')).toBe('MANUAL');
    expect((await row.locator('[data-testid="watched-origin"]').textContent())?.trim()).toBe('Manual');
    // Not found on MusicBrainz yet: no link.
    expect(await row.locator('[data-testid="watched-mbid"]').count()).toBe(0);
    // the form clears when the mutation answers; the row can come first over the socket
    await expect.poll(() => page.inputValue('[data-testid="watch-artist-input"]'), { timeout: 5_000 }).toBe('');
    expect(await page.locator('[data-testid="watch-artist-error"]').count()).toBe(0);
    const [nina] = await watched(app.url);
    expect(nina).toMatchObject({ name: 'Nina', origin: 'MANUAL', mbid: null });

    // Another spelling of the same name is refused, with the server's reason under the field.
    await watchFromForm(page, 'NINA');
    const error = page.locator('[data-testid="watch-artist-error"]');
    await error.waitFor({ timeout: 15_000 });
    expect((await error.textContent())?.trim()).toBe('NINA is watched already');
    expect(await page.inputValue('[data-testid="watch-artist-input"]')).toBe('NINA');
    expect(await page.getAttribute('[data-testid="watch-artist-input"]', 'aria-invalid')).toBe('true');
    expect(await page.locator('[data-testid="watched-row"]').count()).toBe(1);
    // Editing the name takes the reason away.
    await page.fill('[data-testid="watch-artist-input"]', 'NIN');
    await expect.poll(() => page.locator('[data-testid="watch-artist-error"]').count()).toBe(0);

    // Remove asks first; "no" keeps the artist.
    await page.click(`[data-testid="unwatch-${nina!.id}"]`);
    await page.locator('[data-testid="confirm-cancel"]').click();
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
    expect(await row.count()).toBe(1);
    expect(await watched(app.url)).toHaveLength(1);

    await page.click(`[data-testid="unwatch-${nina!.id}"]`);
    expect(await page.textContent('#confirm-title')).toMatch(/Stop watching Nina\?/);
    await page.locator('[data-testid="confirm-ok"]').click();
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(0);
    expect(await watched(app.url)).toEqual([]);
    await page.locator('[data-testid="watched-empty"]').waitFor({ timeout: 15_000 });
    await page.context().close();
  }, 60_000);

  it('speaks German', async () => {
    const page = await openAutomation(app);
    await page.locator('[data-testid="automation-missing-config"]').waitFor({ timeout: 15_000 });
    expect((await page.textContent('h1'))?.trim()).toBe('Automation');

    await page.click('[data-testid="locale-de"]');
    await expect.poll(async () => (await page.textContent('h1'))?.trim()).toBe('Automatisierung');
    expect((await page.textContent('[data-testid="nav-automation"]'))?.trim()).toBe('Automatisierung');
    expect((await page.textContent('#automation-artists-title'))?.trim()).toMatch(/^Beobachtete Künstler/);
    expect((await page.textContent('#automation-albums-title'))?.trim()).toMatch(/^Fehlende Alben/);
    expect((await page.textContent('[data-testid="watch-artist-submit"]'))?.trim()).toBe('Beobachten');
    const notice = await page.textContent('[data-testid="automation-missing-config"]');
    expect(notice).toMatch(/Setze ROADIE_MUSICBRAINZ_URL und ROADIE_MUSICBRAINZ_CONTACT/);
    await page.context().close();
  }, 60_000);
});

describe('automation page with a (fake) MusicBrainz', () => {
  let app: TestApp;
  let fake: FakeMusicBrainz;
  let nina: FakeArtist;

  beforeAll(async () => {
    fake = await new FakeMusicBrainz().start();
    nina = fake.addArtist('Nina');
    fake.addReleaseGroup(nina.id, 'Old Songs', 'Album', '2019-03-01');
    fake.addReleaseGroup(nina.id, 'Night Drive', 'Album', '2021-06');
    app = await startTestApp({
      env: {
        ROADIE_MUSICBRAINZ_URL: fake.url,
        ROADIE_MUSICBRAINZ_CONTACT: 'tests@example.test',
        ROADIE_MUSICBRAINZ_MIN_INTERVAL_MS: '0',
        ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await fake?.stop();
  });

  it('shows the albums a Discography run finds without a reload, and links the artist to MusicBrainz', async () => {
    const page = await openAutomation(app);
    await page.locator('[data-testid="watched-empty"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="automation-missing-config"]').count()).toBe(0);

    await watchFromForm(page, 'Nina');
    const row = page.locator('[data-testid="watched-row"][data-name="Nina"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="missing-albums-empty"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="missing-album-row"]').count()).toBe(0);
    await markPage(page);

    // Started, the daemon looks at once; then its look is set back and it runs again.
    await controlOk(app.url, 'startWorker', { name: 'discography' });
    await expect.poll(() => daemonState(page, 'discography'), { timeout: 15_000 }).toBe('RUNNING');
    await expect
      .poll(
        async () => {
          const worker = await getWorker(app.url, 'discography');
          return worker !== null && worker.runCount >= 1 && worker.status !== 'ACTIVE';
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await app.app.orm.em.getConnection().execute('update watched_artists set discography_at = null');
    await runCycleNow(app.url, 'discography');

    const albums = page.locator('[data-testid="missing-album-row"]');
    await expect.poll(() => albums.count(), { timeout: 15_000 }).toBe(2);
    const titles = await albums.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-title')));
    expect([...titles].sort()).toEqual(['Night Drive', 'Old Songs']);
    const oldSongs = page.locator('[data-testid="missing-album-row"][data-title="Old Songs"]');
    expect(await oldSongs.getAttribute('data-artist')).toBe('Nina');
    expect(await oldSongs.textContent()).toMatch(/Album/);
    expect(await oldSongs.textContent()).toMatch(/Mar 1, 2019/);
    expect(await page.textContent('[data-testid="missing-album-row"][data-title="Night Drive"]')).toMatch(/June 2021/);
    expect(await page.locator('[data-testid="missing-albums-empty"]').count()).toBe(0);

    // The artist was found on MusicBrainz: its row links there and counts its missing albums.
    const link = row.locator('[data-testid="watched-mbid"]');
    await expect.poll(() => link.count(), { timeout: 15_000 }).toBe(1);
    expect(await link.getAttribute('href')).toBe(`https://musicbrainz.org/artist/${nina.id}`);
    await expect.poll(async () => (await row.locator('[data-testid="watched-missing"]').textContent())?.trim()).toBe('2');
    expect(await watched(app.url)).toEqual([expect.objectContaining({ name: 'Nina', mbid: nina.id, missingAlbums: 2 })]);
    await expect
      .poll(() => page.textContent('[data-testid="automation-activity-discography"]'), { timeout: 15_000 })
      .toMatch(/missing for 1 artist looked at/);

    expect(await marker(page)).toBe('kept');
    await page.context().close();
  }, 90_000);
});
