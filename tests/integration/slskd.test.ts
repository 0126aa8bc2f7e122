import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rankCandidates } from '../../server/domain/soulseek/ranking.js';
import { SlskdClient, SlskdError, type SlskdClientOptions, type TransferSnapshot } from '../../server/integrations/slskd.js';
import { FakeSlskd, type FakeResponse } from '../fakes/slskd.js';

const fake = new FakeSlskd();
const MB = 1_000_000;
const dir = 'Music\\Radiohead\\OK Computer\\';
const RESULTS: FakeResponse[] = [
  { username: 'slowpoke', hasFreeUploadSlot: false, queueLength: 120, uploadSpeed: 40_000, files: [{ filename: `${dir}02 Paranoid Android.mp3`, size: 15_480_000, bitRate: 320, length: 387, extension: 'mp3' }] },
  { username: 'goodpeer', hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 1_500_000, files: [{ filename: `${dir}02 - Paranoid Android.flac`, size: 42 * MB, bitDepth: 16, sampleRate: 44_100, length: 387, extension: 'flac' }] },
  { username: 'locker', hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 2_000_000, files: [{ filename: `${dir}02 - Paranoid Android.flac`, size: 42 * MB, length: 387, isLocked: true }] },
  { username: 'cover', hasFreeUploadSlot: true, queueLength: 1, uploadSpeed: 300_000, files: [{ filename: 'Covers\\Paranoid Android (karaoke).mp3', size: 9_000_000, bitRate: 192, length: 380 }] },
];

/** A client with short polls; `sleep` is recorded so Retry-After waits are checked without waiting them out. */
function client(o: Partial<SlskdClientOptions> = {}): { c: SlskdClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const c = new SlskdClient({
    baseUrl: fake.url,
    apiKey: fake.apiKey,
    timeoutMs: 2000,
    pollMs: 5,
    rateLimitBackoffMs: 20,
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((r) => setTimeout(r, Math.min(ms, 20)));
    },
    ...o,
  });
  return { c, sleeps };
}

async function errorOf(p: Promise<unknown>): Promise<SlskdError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SlskdError);
    return err as SlskdError;
  }
  throw new Error('expected a SlskdError');
}
const codeOf = async (p: Promise<unknown>): Promise<string> => (await errorOf(p)).code;

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  fake.results = () => RESULTS;
});

describe('slskd client against the fake', () => {
  it('searches, ranks, enqueues and follows the transfer to success', async () => {
    const { c } = client();
    const result = await c.search('Radiohead Paranoid Android');
    expect(result.complete).toBe(true);
    expect(result.search).toMatchObject({ searchText: 'Radiohead Paranoid Android', isComplete: true, responseCount: 4 });
    expect(result.responses).toHaveLength(4);
    expect(fake.count(/^GET \/api\/v0\/searches\/[^/]+$/)).toBe(2); // polled until complete
    const posted = fake.requests.find((r) => r.method === 'POST' && r.path === '/api/v0/searches')!;
    expect(posted.body).toMatchObject({ searchText: 'Radiohead Paranoid Android', id: result.search.id });

    const { ranked, excluded } = rankCandidates({ title: 'Paranoid Android', artists: ['Radiohead'], durationSec: 387 }, result.responses);
    const best = ranked[0]!.candidate;
    expect(best.username).toBe('goodpeer');
    expect(excluded.map((e) => e.candidate.username)).toContain('locker');

    const enq = await c.enqueue(best.username, [{ filename: best.filename, size: best.size }]);
    expect(enq.failed).toEqual([]);
    expect(enq.enqueued[0]).toMatchObject({ username: 'goodpeer', filename: best.filename, size: 42 * MB });
    expect(fake.requests.at(-1)!.body).toEqual([{ filename: best.filename, size: 42 * MB }]);

    const seen: TransferSnapshot[] = [];
    for await (const s of c.waitForTransfer(best.username, best.filename, { id: enq.enqueued[0]!.id })) seen.push(s);
    const phases = seen.map((s) => s.outcome.phase);
    expect(phases[0]).toBe('queued');
    expect(phases).toContain('in_progress');
    expect(phases.at(-1)).toBe('succeeded');
    const progress = seen.filter((s) => s.outcome.phase === 'in_progress').map((s) => s.bytesTransferred);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress); // bytes grow
    expect(progress[0]).toBeGreaterThan(0);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ state: 'Completed, Succeeded', bytesTransferred: 42 * MB, size: 42 * MB, percentComplete: 100 });
    expect(seen.find((s) => s.outcome.phase === 'in_progress')!.averageSpeed).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.apiKey === fake.apiKey)).toBe(true);
  });

  it('a rejected transfer ends as user_blocked, not retried; "File not shared." as file_not_found', async () => {
    const { c } = client();
    fake.transferScript = { queuedPolls: 1, progressPolls: 2, end: 'Completed, Rejected', exception: 'Banned' };
    await c.enqueue('meanie', [{ filename: 'a\\Paranoid Android.flac', size: 10 }]);
    let last: TransferSnapshot | undefined;
    for await (const s of c.waitForTransfer('meanie', 'a\\Paranoid Android.flac')) last = s;
    expect(last!.outcome).toMatchObject({ phase: 'failed', errorCode: 'user_blocked', retryable: false });
    expect(last!.exception).toBe('Banned');

    fake.transferScript = { queuedPolls: 0, progressPolls: 1, end: 'Completed, Rejected', exception: 'Transfer rejected: File not shared.' };
    await c.enqueue('gone', [{ filename: 'b\\x.flac', size: 10 }]);
    const snap = await drain(c.waitForTransfer('gone', 'b\\x.flac'));
    expect(snap.outcome).toMatchObject({ errorCode: 'file_not_found', retryable: false });

    fake.transferScript = { queuedPolls: 0, progressPolls: 2, end: 'Completed, Errored' };
    await c.enqueue('flaky', [{ filename: 'c\\y.flac', size: 1000 }]);
    const errored = await drain(c.waitForTransfer('flaky', 'c\\y.flac'));
    expect(errored.outcome).toMatchObject({ errorCode: 'transfer_error', retryable: true });
    expect(errored.bytesTransferred).toBeGreaterThan(0);
  });

  it('transfer() is null for an unknown download; waitForTransfer gives up with not_found', async () => {
    const { c } = client();
    expect(await c.transfer('nobody', 'x.flac')).toBeNull(); // slskd answers 404 for a user without downloads
    expect(await codeOf(drain(c.waitForTransfer('nobody', 'x.flac', { missingPolls: 2 })))).toBe('not_found');
  });

  it('cancelDownload stops a transfer (Completed, Cancelled); remove drops it; an unknown one is no error', async () => {
    const { c } = client();
    fake.transferScript = { queuedPolls: 1000, progressPolls: 1, end: 'Completed, Succeeded' };
    const { enqueued } = await c.enqueue('peer', [{ filename: '@@m\\A\\x.flac', size: 100 }]);
    const id = enqueued[0]!.id;
    await c.cancelDownload('peer', id);
    expect((await c.transfer('peer', '@@m\\A\\x.flac'))?.outcome).toMatchObject({ phase: 'failed', done: true, errorCode: 'transfer_canceled' });
    await c.cancelDownload('peer', id, { remove: true });
    expect(await c.transfer('peer', '@@m\\A\\x.flac')).toBeNull();
    await expect(c.cancelDownload('peer', 'no-such-id')).resolves.toBeUndefined();
    expect(fake.count(/^DELETE /)).toBe(3);
  });

  it('the probe reads the application state with the API key', async () => {
    const { c } = client();
    const app = await c.application();
    expect(app.server).toMatchObject({ isConnected: true, isLoggedIn: true });
    expect(app.version.current).toBe('0.22.5');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v0/application', apiKey: fake.apiKey });
  });

  it('401 without the right key: unauthorized, not retried', async () => {
    const { c } = client({ apiKey: 'wrong' });
    const err = await errorOf(c.application());
    expect(err).toBeInstanceOf(SlskdError);
    expect(err).toMatchObject({ code: 'unauthorized', httpStatus: 401, retryable: false });
    expect(fake.count(/application/)).toBe(1);
  });

  it('403: forbidden', async () => {
    fake.faults.push({ kind: 'status', status: 403 });
    const { c } = client();
    const err = await errorOf(c.search('x'));
    expect(err).toMatchObject({ code: 'forbidden', httpStatus: 403, retryable: false });
  });

  it('429 with Retry-After: waits as asked and succeeds on the next try', async () => {
    fake.faults.push({ kind: 'status', status: 429, retryAfter: '2', times: 2, match: /^POST \/api\/v0\/searches$/ });
    const { c, sleeps } = client();
    const r = await c.search('Radiohead Paranoid Android');
    expect(r.responses).toHaveLength(4);
    expect(sleeps.slice(0, 2)).toEqual([2000, 2000]);
    expect(fake.count(/^POST \/api\/v0\/searches$/)).toBe(3);
  });

  it('429 without Retry-After (slskd\'s own concurrency limit): backs off, then gives up with rate_limited', async () => {
    fake.faults.push({ kind: 'status', status: 429, body: 'Only one concurrent operation is permitted. Wait until the previous request completes', match: /^POST / });
    const { c, sleeps } = client({ rateLimitRetries: 3 });
    const err = await errorOf(c.enqueue('u', [{ filename: 'f.flac', size: 1 }]));
    expect(err).toMatchObject({ code: 'rate_limited', httpStatus: 429, retryable: true, retryAfterMs: null });
    expect(err.message).toMatch(/after 4 tries/);
    expect(sleeps).toEqual([20, 40, 80]);
    expect(fake.count(/^POST /)).toBe(4);
  });

  it('429 with a Retry-After longer than the cap fails at once and carries the wait', async () => {
    fake.faults.push({ kind: 'status', status: 429, retryAfter: '120' });
    const { c, sleeps } = client({ maxRetryAfterMs: 30_000 });
    const err = await errorOf(c.application());
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterMs: 120_000 });
    expect(sleeps).toEqual([]);
  });

  it('5xx: server_error, retryable', async () => {
    fake.faults.push({ kind: 'status', status: 500, body: 'boom', match: /transfers/ });
    const { c } = client();
    const err = await errorOf(c.enqueue('u', [{ filename: 'f.flac', size: 1 }]));
    expect(err).toMatchObject({ code: 'server_error', httpStatus: 500, retryable: true });
    expect(err.message).toContain('boom');
    fake.faults = [{ kind: 'status', status: 503 }];
    expect(await codeOf(c.application())).toBe('server_error');
  });

  it('malformed bodies: broken JSON and JSON of the wrong shape are malformed_response', async () => {
    const { c } = client();
    fake.faults.push({ kind: 'malformed', match: /application/, times: 1 });
    expect(await codeOf(c.application())).toBe('malformed_response');
    // a search whose responses lack required fields
    fake.results = () => [{ username: 'x', files: [{ filename: 'a.mp3' }] } as unknown as FakeResponse];
    const err = await errorOf(c.search('x'));
    expect(err).toMatchObject({ code: 'malformed_response' });
    expect(err.message).toMatch(/size|hasFreeUploadSlot/);
  });

  it('timeout: a slow answer fails with timeout, retryable', async () => {
    fake.faults.push({ kind: 'slow', delayMs: 1500, match: /application/, times: 1 });
    const { c } = client({ timeoutMs: 200 });
    const t0 = Date.now();
    const err = await errorOf(c.application());
    expect(err).toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - t0).toBeLessThan(1200);
  });

  it('a search that does not finish by the deadline is stopped and returns what arrived', async () => {
    fake.searchPolls = 1_000;
    const { c } = client({ pollMs: 10 });
    const r = await c.search('Radiohead', { deadlineMs: 80 });
    expect(r.complete).toBe(false);
    expect(fake.count(/^PUT \/api\/v0\/searches\//)).toBe(1);
    expect(fake.searches.get(r.search.id)!.state).toBe('Completed, Cancelled');
    expect(r.responses.length).toBeLessThanOrEqual(RESULTS.length);
  });

  it('network_error when nothing listens', async () => {
    const gone = new FakeSlskd();
    await gone.start();
    const url = gone.url;
    await gone.stop();
    const c = new SlskdClient({ baseUrl: url, apiKey: 'k', timeoutMs: 1000 });
    expect(await codeOf(c.application())).toBe('network_error');
  });

  it('the fake paginates the search list like slskd (X-Total-Count)', async () => {
    const { c } = client();
    await c.startSearch('one');
    await c.startSearch('two');
    await c.startSearch('three');
    const res = await fetch(`${fake.url}/api/v0/searches?offset=1&limit=1`, { headers: { 'x-api-key': fake.apiKey } });
    expect(res.headers.get('x-total-count')).toBe('3');
    expect(((await res.json()) as { searchText: string }[]).map((s) => s.searchText)).toEqual(['two']);
    const bad = await fetch(`${fake.url}/api/v0/searches?limit=0`, { headers: { 'x-api-key': fake.apiKey } });
    expect(bad.status).toBe(400);
  });
});

async function drain<T>(gen: AsyncGenerator<T, T>): Promise<T> {
  let last: T | undefined;
  for await (const v of gen) last = v;
  if (last === undefined) throw new Error('no value');
  return last;
}
