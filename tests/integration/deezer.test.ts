import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeezerClient, DeezerError, type DeezerErrorCode } from '../../server/integrations/deezer.js';
import { FakeDeezer } from '../fakes/deezer.js';

let fake: FakeDeezer;
beforeAll(async () => {
  fake = await new FakeDeezer().start();
  for (let i = 0; i < 120; i++) fake.releases.push({ id: 1000 + i, title: `Release ${i}`, artist: { id: 7, name: 'Artist' }, release_date: '2025-03-01', record_type: i % 2 ? 'single' : 'album' });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const client = (timeoutMs = 2000): DeezerClient => new DeezerClient({ baseUrl: fake.url, timeoutMs });

async function expectCode(p: Promise<unknown>, code: DeezerErrorCode): Promise<DeezerError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeezerError);
  expect((err as DeezerError).code).toBe(code);
  return err as DeezerError;
}

describe('DeezerClient', () => {
  it('reads every page of editorial releases following next', async () => {
    const r = await client().newReleases();
    expect(r.items).toHaveLength(120);
    expect(r.total).toBe(120);
    expect(r.items[0]).toEqual({ id: '1000', title: 'Release 0', artist: { id: '7', name: 'Artist' }, releaseDate: '2025-03-01', recordType: 'album', explicit: false, link: 'https://www.deezer.com/album/1000', coverUrl: 'https://e-cdns-images.dzcdn.net/images/cover/1000/1000x1000.jpg' });
    expect(fake.requests.map((q) => [q.path, q.query.get('index')])).toEqual([
      ['/editorial/0/releases', '0'],
      ['/editorial/0/releases', '50'],
      ['/editorial/0/releases', '100'],
    ]);
  });

  it('stops at the cap', async () => {
    const r = await client().newReleases({ maxItems: 30 });
    expect(r).toMatchObject({ truncated: true, total: 120 });
    expect(r.items).toHaveLength(30);
  });

  it('maps the quota error (HTTP 200, code 4) to rate_limited', async () => {
    fake.script = [{ quota: true }];
    const e = await expectCode(client().newReleases(), 'rate_limited');
    expect(e).toMatchObject({ status: 200, deezerCode: 4, retryable: true });
    expect(e.message).toContain('Quota limit exceeded');
  });

  it('maps "no data" to not_found, 5xx to server_error, bad JSON to malformed_response, slowness to timeout', async () => {
    await expectCode(client().newReleases({ genreId: 999 }), 'not_found');
    fake.script = [{ status: 503 }];
    await expectCode(client().newReleases(), 'server_error');
    fake.script = [{ status: 429 }];
    await expectCode(client().newReleases(), 'rate_limited');
    fake.script = [{ malformed: true }];
    await expectCode(client().newReleases(), 'malformed_response');
    fake.script = [{ delayMs: 1000 }];
    await expectCode(client(100).newReleases(), 'timeout');
  });

  it('HTTP 429 is rate_limited with the Retry-After it carried (none: null); 401 and 403 are http_error, not retried', async () => {
    fake.script = [{ status: 429, retryAfter: '7' }];
    expect(await expectCode(client().newReleases(), 'rate_limited')).toMatchObject({ status: 429, retryAfterMs: 7000, retryable: true });
    fake.script = [{ status: 429 }];
    expect(await expectCode(client().newReleases(), 'rate_limited')).toMatchObject({ retryAfterMs: null });
    for (const status of [401, 403]) {
      fake.script = [{ status }];
      expect(await expectCode(client().newReleases(), 'http_error')).toMatchObject({ status, retryable: false });
    }
  });
});
