import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CoverArtClient, type CoverArtClientOptions } from '../../server/integrations/coverart.js';
import { MetaBrainzError, type MetaBrainzErrorCode } from '../../server/integrations/musicbrainz.js';
import { FakeCoverArtArchive } from '../fakes/coverart.js';
import { fakeMbid } from '../fakes/musicbrainz.js';

const UA = 'Roadie/0.1.0-test';
const CONTACT = 'https://example.test/roadie';
const withFront = fakeMbid(0xca01);
const backOnly = fakeMbid(0xca02);
const pngRelease = fakeMbid(0xca03);
const unknown = fakeMbid(0xca04);
const jpeg = randomBytes(5000);
const png = randomBytes(300);

let fake: FakeCoverArtArchive;
beforeAll(async () => {
  fake = await new FakeCoverArtArchive().start();
  fake.addImage(withFront, jpeg);
  fake.addImage(withFront, randomBytes(100), { front: false, back: true });
  fake.addImage(backOnly, randomBytes(100), { front: false, back: true });
  fake.addImage(pngRelease, png, { mimeType: 'image/png' });
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
  fake.script = [];
});

const client = (o: Partial<CoverArtClientOptions> = {}): CoverArtClient => new CoverArtClient({ baseUrl: fake.url, userAgent: UA, contact: CONTACT, timeoutMs: 2000, ...o });

async function expectCode(p: Promise<unknown>, code: MetaBrainzErrorCode, status: number | null): Promise<MetaBrainzError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MetaBrainzError);
  const e = err as MetaBrainzError;
  expect({ service: e.service, code: e.code, status: e.status }).toEqual({ service: 'coverart', code, status });
  return e;
}

describe('CoverArtClient.frontCover', () => {
  it('follows the 307 to the image and returns its bytes and type, with the User-Agent on both hops', async () => {
    const cover = await client().frontCover(withFront);
    expect(cover?.mimeType).toBe('image/jpeg');
    expect(cover?.bytes.equals(jpeg)).toBe(true);
    expect(fake.requests.map((r) => r.path)).toEqual([`/release/${withFront}/front`, expect.stringMatching(new RegExp(`^/download/mbid-${withFront}/mbid-${withFront}-\\d+\\.jpg$`))]);
    for (const r of fake.requests) expect(r.userAgent).toBe(`${UA} ( ${CONTACT} )`);
  });

  it('asks for a thumbnail size and reports the served type', async () => {
    const cover = await client().frontCover(pngRelease, { size: 500 });
    expect(cover?.mimeType).toBe('image/png');
    expect(fake.requests[0]!.path).toBe(`/release/${pngRelease}/front-500`);
    expect(fake.requests[1]!.path).toMatch(/_thumb500\.jpg$/);
  });

  it('returns null for an unknown release and for a release without a front image', async () => {
    expect(await client().frontCover(unknown)).toBeNull();
    expect(await client().frontCover(backOnly)).toBeNull();
    expect(fake.requests).toHaveLength(2);
  });

  it('refuses an MBID that is not a UUID without asking', async () => {
    await expectCode(client().frontCover('nope'), 'bad_request', null);
    expect(fake.requests).toHaveLength(0);
  });

  it('caps the image size', async () => {
    await expectCode(client({ maxImageBytes: 1000 }).frontCover(withFront), 'response_too_large', 200);
  });

  it('fails with malformed_response when the answer is not an image', async () => {
    fake.script = [{ notAnImage: true }];
    await expectCode(client().frontCover(withFront), 'malformed_response', 200);
  });

  it('maps 503 (with and without Retry-After), 401, 403 and 500', async () => {
    fake.script = [{ status: 503, retryAfter: '120' }];
    const limited = await expectCode(client().frontCover(withFront), 'rate_limited', 503);
    expect(limited.retryAfterMs).toBe(120_000);
    fake.script = [{ status: 503 }];
    expect((await expectCode(client().frontCover(withFront), 'rate_limited', 503)).retryAfterMs).toBeNull();
    fake.script = [{ status: 401 }];
    await expectCode(client().frontCover(withFront), 'unauthorized', 401);
    fake.script = [{ status: 403 }];
    await expectCode(client().frontCover(withFront), 'forbidden', 403);
    fake.script = [{ status: 500 }];
    expect((await expectCode(client().frontCover(withFront), 'server_error', 500)).retryable).toBe(true);
  });

  it('fails with timeout on a slow answer', async () => {
    fake.script = [{ delayMs: 2000 }];
    const started = performance.now();
    await expectCode(client({ timeoutMs: 150 }).frontCover(withFront), 'timeout', null);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('gives up on a redirect loop', async () => {
    fake.script = Array.from({ length: 10 }, () => ({ redirectLoop: true as const }));
    const err = await client()
      .frontCover(withFront)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(MetaBrainzError);
    expect(['http_error', 'network_error']).toContain((err as MetaBrainzError).code);
    expect(fake.requests.length).toBeLessThanOrEqual(6);
  });
});

describe('CoverArtClient.listImages', () => {
  it('lists the images with their front and back flags', async () => {
    const images = await client().listImages(withFront);
    expect(images).toHaveLength(2);
    expect(images!.map((i) => [i.front, i.back, i.types])).toEqual([
      [true, false, ['Front']],
      [false, true, ['Back']],
    ]);
    expect(images![0]!.thumbnails['500']).toMatch(/_thumb500\.jpg$/);
    expect(fake.requests[0]!.path).toBe(`/release/${withFront}`);
  });

  it('returns null for an unknown release', async () => {
    expect(await client().listImages(unknown)).toBeNull();
  });
});
