// The task center against the real app: a job made from the New job menu shows up live (no
// reload), opens into its detail, the lanes show their limits and take a new one, and a queued
// job is paused, resumed, cancelled and then removed from its row. Needs the built SPA (npm run build:web)
// and Debian's chromium. Until real item handlers exist, jobs have no items and finish at once.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { buildWav } from '../helpers/audio.js';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
const STATUSES = ['QUEUED', 'RUNNING', 'PAUSE_REQUESTED', 'PAUSED', 'COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELED'];

let app: TestApp;
let browser: Browser;

async function openTasks(hash = '#/tasks'): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${app.url}/${hash}`);
  await page.waitForSelector('[data-testid="lane-download"]', { timeout: 15_000 });
  return page;
}

/** Job numbers of the rows, top to bottom. */
function rowIds(page: Page): Promise<number[]> {
  return page.$$eval('[data-testid^="task-row-"]', (rows) => rows.map((row) => Number(row.getAttribute('data-job-id'))));
}

async function createJob(page: Page, jobType: string): Promise<void> {
  await page.click('[data-testid="new-job-button"]');
  await page.click(`[data-testid="new-job-${jobType}"]`);
}

async function setLaneLimit(page: Page, lane: string, limit: number): Promise<void> {
  await page.fill(`[data-testid="lane-limit-${lane}"]`, String(limit));
  await page.click(`[data-testid="lane-save-${lane}"]`);
}

function statusOf(page: Page, jobId: number): Promise<string | null> {
  return page.getAttribute(`[data-testid="task-row-${jobId}"]`, 'data-status');
}

describe('task center', () => {
  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('creates a job from the menu, shows it live, opens its detail and shows the lanes', async () => {
    const page = await openTasks();
    expect((await page.textContent('[data-testid="nav-tasks"]'))?.trim()).toBe('Task center');
    expect(await page.getAttribute('[data-testid="nav-tasks"]', 'aria-current')).toBe('page');

    // Both lanes with their default limits: one download job, three general jobs at once.
    expect(await page.getAttribute('[data-testid="lane-download"]', 'data-limit')).toBe('1');
    expect(await page.getAttribute('[data-testid="lane-general"]', 'data-limit')).toBe('3');
    expect(await page.inputValue('[data-testid="lane-limit-download"]')).toBe('1');
    expect(await page.inputValue('[data-testid="lane-limit-general"]')).toBe('3');

    // A marker on window survives only if the page is never reloaded.
    await page.evaluate(() => Object.assign(window, { __roadieMarker: 'kept' }));

    // The menu offers all nine job types: the seven pipeline jobs and the two library tasks.
    await page.click('[data-testid="new-job-button"]');
    expect(await page.getAttribute('[data-testid="new-job-button"]', 'aria-expanded')).toBe('true');
    expect(await page.locator('[data-testid^="new-job-"][role="menuitem"]').count()).toBe(9);
    expect(await page.locator('[data-testid="new-job-LIBRARY_SCAN"]').textContent()).toMatch(/Library scan/);
    expect(await page.locator('[data-testid="new-job-FIND_DUPLICATES"]').textContent()).toMatch(/Find duplicates/);
    await page.click('[data-testid="new-job-DOWNLOAD_ONLY"]');

    await page.waitForSelector('[data-testid^="task-row-"]', { timeout: 15_000 });
    const [jobId] = await rowIds(page);
    expect(jobId).toBeGreaterThan(0);
    const row = page.locator(`[data-testid="task-row-${jobId}"]`);
    expect(STATUSES).toContain(await row.getAttribute('data-status'));
    expect(await row.textContent()).toMatch(/Download/);
    expect(await row.textContent()).toMatch(/All sources/);

    const progress = page.locator(`[data-testid="task-progress-${jobId}"]`);
    expect(await progress.getAttribute('role')).toBe('progressbar');
    expect(await progress.getAttribute('aria-valuenow')).not.toBeNull();

    // Placeholder handlers: the job finishes at once, live.
    await expect.poll(() => statusOf(page, jobId as number), { timeout: 15_000 }).toBe('COMPLETED');
    expect(await page.isDisabled(`[data-testid="pause-job-${jobId}"]`)).toBe(true);
    expect(await page.isDisabled(`[data-testid="cancel-job-${jobId}"]`)).toBe(true);

    // A second job lands on top (newest first), still without a reload.
    await createJob(page, 'SYNC_ONLY');
    await expect.poll(async () => (await rowIds(page)).length, { timeout: 15_000 }).toBe(2);
    const ids = await rowIds(page);
    expect(ids[1]).toBe(jobId);
    expect(ids[0]).toBeGreaterThan(jobId as number);
    expect(await page.textContent(`[data-testid="task-row-${ids[0]}"]`)).toMatch(/General/);

    // The row opens into its live detail: stages with counts and the job's events.
    const expand = page.locator(`[data-testid="expand-job-${jobId}"]`);
    expect(await expand.getAttribute('aria-expanded')).toBe('false');
    await expand.click();
    expect(await expand.getAttribute('aria-expanded')).toBe('true');
    const detail = page.locator(`[data-testid="job-detail-${jobId}"]`);
    await detail.waitFor({ state: 'visible' });
    await expect.poll(() => detail.locator('tr[data-stage="DOWNLOAD"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await detail.locator('tr[data-stage="DOWNLOAD"]').getAttribute('data-status')).toBe('COMPLETED');
    await expect.poll(() => detail.locator('li[data-kind="created"]').count()).toBe(1);
    expect(await detail.textContent()).toMatch(/Stages/);
    expect(await detail.textContent()).toMatch(/Events/);

    // A lane's limit is changed in place; a refused value is shown next to it.
    await setLaneLimit(page, 'general', 99);
    await page.waitForSelector('[data-testid="lane-error-general"]', { timeout: 10_000 });
    expect(await page.getAttribute('[data-testid="lane-general"]', 'data-limit')).toBe('3');
    await setLaneLimit(page, 'general', 2);
    await expect.poll(() => page.getAttribute('[data-testid="lane-general"]', 'data-limit')).toBe('2');
    expect(await page.locator('[data-testid="lane-error-general"]').count()).toBe(0);

    expect(await page.evaluate(() => (window as unknown as { __roadieMarker?: string }).__roadieMarker)).toBe('kept');

    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}task-center.png`, fullPage: true });
    await page.context().close();
  }, 90_000);

  it('pauses, resumes, cancels and removes a queued job from its row', async () => {
    const page = await openTasks();
    // With the download lane closed, a download job stays queued.
    await setLaneLimit(page, 'download', 0);
    await expect.poll(() => page.getAttribute('[data-testid="lane-download"]', 'data-limit')).toBe('0');

    const before = new Set(await rowIds(page));
    await createJob(page, 'DOWNLOAD_ONLY');
    await expect.poll(async () => (await rowIds(page)).some((id) => !before.has(id)), { timeout: 15_000 }).toBe(true);
    const jobId = (await rowIds(page)).find((id) => !before.has(id)) as number;
    await expect.poll(() => statusOf(page, jobId)).toBe('QUEUED');
    await expect.poll(() => page.textContent(`[data-testid="task-row-${jobId}"]`)).toMatch(/queued #1/);
    expect(await page.textContent(`[data-testid="task-progress-${jobId}"] ~ *`)).toBe('—');

    await page.click(`[data-testid="pause-job-${jobId}"]`);
    await expect.poll(() => statusOf(page, jobId), { timeout: 10_000 }).toBe('PAUSED');
    await page.click(`[data-testid="resume-job-${jobId}"]`);
    await expect.poll(() => statusOf(page, jobId), { timeout: 10_000 }).toBe('QUEUED');

    // Cancel asks first; "no" leaves the job alone.
    await page.click(`[data-testid="cancel-job-${jobId}"]`);
    await page.click('[data-testid="confirm-cancel"]');
    expect(await statusOf(page, jobId)).toBe('QUEUED');
    await page.click(`[data-testid="cancel-job-${jobId}"]`);
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(() => statusOf(page, jobId), { timeout: 10_000 }).toBe('CANCELED');
    expect(await page.isDisabled(`[data-testid="cancel-job-${jobId}"]`)).toBe(true);

    // A finished job can be removed: it asks first, then the row goes live, without a reload.
    await page.evaluate(() => Object.assign(window, { __roadieMarker: 'kept' }));
    await page.click(`[data-testid="remove-job-${jobId}"]`);
    expect(await page.textContent('#confirm-title')).toMatch(/^Remove /);
    await page.click('[data-testid="confirm-cancel"]');
    expect(await rowIds(page)).toContain(jobId);
    await page.click(`[data-testid="remove-job-${jobId}"]`);
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(async () => (await rowIds(page)).includes(jobId), { timeout: 10_000 }).toBe(false);
    expect(await page.evaluate(() => (window as unknown as { __roadieMarker?: string }).__roadieMarker)).toBe('kept');

    await setLaneLimit(page, 'download', 1);
    await expect.poll(() => page.getAttribute('[data-testid="lane-download"]', 'data-limit')).toBe('1');
    await page.context().close();
  }, 60_000);

  it('runs a library task from the menu with its option, then shows its result and duration', async () => {
    const library = path.join(app.dataDir, 'library', 'Portishead');
    await mkdir(library, { recursive: true });
    await writeFile(path.join(library, 'Roads.wav'), buildWav({ artist: 'Portishead', title: 'Roads' }));
    await writeFile(path.join(library, 'untagged.wav'), buildWav({ seed: 3 }));
    await writeFile(path.join(library, 'cover.jpg'), Buffer.alloc(64, 1));

    const page = await openTasks();
    const before = new Set(await rowIds(page));
    await page.click('[data-testid="new-job-button"]');
    // A task's option is a menu checkbox: on by default, toggled without closing the menu.
    const option = page.locator('[data-testid="task-option-readTags"]');
    expect(await option.getAttribute('role')).toBe('menuitemcheckbox');
    expect(await option.getAttribute('aria-checked')).toBe('true');
    await option.click();
    expect(await option.getAttribute('aria-checked')).toBe('false');
    expect(await page.getAttribute('[data-testid="new-job-button"]', 'aria-expanded')).toBe('true');
    await option.click();
    expect(await option.getAttribute('aria-checked')).toBe('true');
    await page.click('[data-testid="new-job-LIBRARY_SCAN"]');

    await expect.poll(async () => (await rowIds(page)).some((id) => !before.has(id)), { timeout: 15_000 }).toBe(true);
    const jobId = (await rowIds(page)).find((id) => !before.has(id)) as number;
    expect(await page.textContent(`[data-testid="task-row-${jobId}"]`)).toMatch(/Library Scan/);
    await expect.poll(() => statusOf(page, jobId), { timeout: 15_000 }).toBe('COMPLETED');

    await page.click(`[data-testid="expand-job-${jobId}"]`);
    const result = page.locator(`[data-testid="job-detail-${jobId}"] [data-testid="task-result"]`);
    await result.waitFor({ state: 'visible', timeout: 10_000 });
    const text = (await result.textContent()) ?? '';
    expect(text).toMatch(/Whole library/);
    expect(text).toMatch(/Audio files\s*2/);
    expect(text).toMatch(/Without artist or title\s*1/);
    expect(await result.locator('tr[data-format="wav"] td').first().textContent()).toBe('2');
    expect(await result.locator('tr[data-format="jpg"] td').last().textContent()).toBe('64 B');
    expect(await page.textContent(`[data-testid="job-detail-${jobId}"] [data-testid="job-duration"]`)).toMatch(/^\d+(\.\d)? (ms|sec)$/);
    expect(await page.locator(`[data-testid="job-detail-${jobId}"] tr[data-stage="TASK"]`).getAttribute('data-status')).toBe('COMPLETED');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}task-result.png`, fullPage: true });
    await page.context().close();
  }, 60_000);

  it('opens #/jobs/<id> as the task center with that job expanded', async () => {
    const seed = await openTasks();
    const [jobId] = await rowIds(seed);
    await seed.context().close();
    expect(jobId).toBeGreaterThan(0);

    const page = await openTasks(`#/jobs/${jobId}`);
    await page.waitForSelector(`[data-testid="job-detail-${jobId}"]`, { timeout: 15_000 });
    expect(await page.getAttribute(`[data-testid="expand-job-${jobId}"]`, 'aria-expanded')).toBe('true');
    expect(await page.getAttribute('[data-testid="nav-tasks"]', 'aria-current')).toBe('page');
    await page.context().close();
  }, 60_000);
});
