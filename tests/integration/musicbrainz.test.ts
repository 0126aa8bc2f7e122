import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildUserAgent,
  MetaBrainzError,
  MusicBrainzClient,
  type MetaBrainzErrorCode,
  type MusicBrainzClientOptions,
} from '../../server/integrations/musicbrainz.js';
import { chooseRelease } from '../../server/domain/musicbrainz/releases.js';
import { fakeMbid, FakeMusicBrainz, type FakeArtist, type FakeRelease, type FakeReleaseGroup } from '../fakes/musicbrainz.js';

const UA = 'Roadie/0.1.0-test';
const CONTACT = 'https://example.test/roadie';
/** Arrival times are taken on the shared event loop: a stall there shortens one gap by a few ms. */
const JITTER_MS = 10;

let fake: FakeMusicBrainz;
let radiohead: FakeArtist;
let prolific: FakeArtist;
let shortPages: FakeArtist;
let duo: FakeArtist;
let doubleAlbum: FakeRelease;
let single: FakeReleaseGroup;

beforeAll(async () => {
  fake = await new FakeMusicBrainz().start();
  radiohead = fake.addArtist('Radiohead', { country: 'GB', 'life-span': { begin: '1985', end: null, ended: false } });
  fake.addArtist('Radiohead Tribute Band', { type: 'Group', country: 'US' });
  fake.addReleaseGroup(radiohead.id, 'OK Computer', 'Album', '1997-05-21');
  fake.addReleaseGroup(radiohead.id, 'A Moon Shaped Pool', 'Album', '2016-05-08');
  fake.addReleaseGroup(radiohead.id, 'Creep', 'Single', '1992-09-21');
  prolific = fake.addArtist('Prolific');
  for (let i = 0; i < 230; i++) fake.addReleaseGroup(prolific.id, `Record ${i}`, i % 10 === 0 ? 'EP' : 'Album', `2000-01-${String((i % 28) + 1).padStart(2, '0')}`);
  shortPages = fake.addArtist('Long Boxes');
  for (let i = 0; i < 95; i++) fake.addReleaseGroup(shortPages.id, `Box ${i}`, 'Album', '2010');
  duo = fake.addArtist('Simon & Garfunkel', { type: 'Group', country: 'US' });
  fake.addArtist('Guest Singer', { type: 'Person' });
  const double = fake.addReleaseGroup(duo.id, 'The Double', 'Album', '1970-01-26', [], [{ title: 'Placeholder' }]);
  doubleAlbum = fake.addRelease(duo.id, double, {
    date: '1970-01-26',
    media: [
      { format: 'CD', tracks: [{ title: 'Opening', lengthMs: 185_000 }, { title: 'Duet', lengthMs: 240_500, credit: [{ name: 'Simon & Garfunkel', joinphrase: ' feat. ' }, { name: 'Guest Singer' }] }] },
      { format: 'CD', tracks: [{ title: 'Side Two', lengthMs: null, recordingLengthMs: 301_920 }, { title: '', recordingTitle: 'Untitled Jam', lengthMs: null, recordingLengthMs: null }] },
    ],
  });
  single = fake.addReleaseGroup(duo.id, 'Plain Single', 'Single', '1969-04');
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const client = (o: Partial<MusicBrainzClientOptions> = {}): MusicBrainzClient =>
  new MusicBrainzClient({ baseUrl: fake.url, userAgent: UA, contact: CONTACT, minIntervalMs: 20, timeoutMs: 2000, ...o });

/** A clock that only moves when the client sleeps: backoff tests take no real time. */
function virtualClock(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

async function failure(p: Promise<unknown>): Promise<MetaBrainzError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MetaBrainzError);
  return err as MetaBrainzError;
}

async function expectCode(p: Promise<unknown>, code: MetaBrainzErrorCode, status: number | null): Promise<MetaBrainzError> {
  const err = await failure(p);
  expect({ code: err.code, status: err.status }).toEqual({ code, status });
  return err;
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

describe('MusicBrainzClient: lookups and search', () => {
  it('looks an artist up with fmt=json, the documented User-Agent and Accept header', async () => {
    const artist = await client().lookupArtist(radiohead.id, { inc: ['aliases', 'tags'] });
    expect(artist).toEqual({
      id: radiohead.id,
      name: 'Radiohead',
      sortName: 'Radiohead',
      type: 'Group',
      country: 'GB',
      disambiguation: null,
      begin: '1985',
      end: null,
      score: null,
    });
    const [req] = fake.requests;
    expect(req!.path).toBe(`/ws/2/artist/${radiohead.id}`);
    expect(req!.query.get('fmt')).toBe('json');
    expect(req!.query.get('inc')).toBe('aliases tags'); // `inc=aliases+tags` on the wire
    expect(req!.userAgent).toBe(`${UA} ( ${CONTACT} )`);
    expect(req!.accept).toBe('application/json');
  });

  it('accepts a base URL that already ends in /ws/2', async () => {
    expect(await client({ baseUrl: `${fake.url}/ws/2/` }).lookupArtist(radiohead.id)).not.toBeNull();
    expect(fake.requests[0]!.path).toBe(`/ws/2/artist/${radiohead.id}`);
  });

  it('returns null for an unknown MBID (404) and refuses a malformed one without asking', async () => {
    expect(await client().lookupArtist(fakeMbid(999_999))).toBeNull();
    expect(fake.requests).toHaveLength(1);
    await expectCode(client().lookupArtist('not-an-mbid'), 'bad_request', null);
    expect(fake.requests).toHaveLength(1);
  });

  it('looks up a release with its release group, and a release group', async () => {
    const c = client();
    const release = fake.releases.get(radiohead.id)![0]!;
    const r = await c.lookupRelease(release.id);
    expect(r).toMatchObject({ id: release.id, title: 'OK Computer', status: 'Official', releaseGroup: { title: 'OK Computer', primaryType: 'Album', firstReleaseDate: '1997-05-21' } });
    expect(fake.requests[0]!.query.get('inc')).toBe('release-groups');
    expect(await c.lookupReleaseGroup(release['release-group'].id)).toMatchObject({ title: 'OK Computer', secondaryTypes: [] });
  });

  it('searches artists with a quoted Lucene query and returns count, offset and scores', async () => {
    const r = await client().searchArtists('Radiohead', { limit: 10 });
    expect(r.count).toBe(2);
    expect(r.offset).toBe(0);
    expect(r.items.map((a) => [a.name, a.score])).toEqual([
      ['Radiohead', 100],
      ['Radiohead Tribute Band', 80],
    ]);
    const q = fake.requests[0]!.query;
    expect(q.get('query')).toBe('artist:"Radiohead"');
    expect(q.get('limit')).toBe('10');
    const page2 = await client().searchArtists('Radiohead', { limit: 1, offset: 1 });
    expect(page2.items.map((a) => a.name)).toEqual(['Radiohead Tribute Band']);
  });
});

describe('MusicBrainzClient: release track lists', () => {
  it('returns the tracks of every medium in order, with lengths, artist credits and recording ids', async () => {
    // the service's arrays need not come in order: the client orders by position
    const stored = doubleAlbum;
    expect(stored.media).toHaveLength(2);
    stored.media.reverse();
    for (const m of stored.media) m.tracks.reverse();
    try {
      const r = await client().releaseWithTracks(doubleAlbum.id);
      expect(r).toMatchObject({ id: doubleAlbum.id, title: 'The Double', status: 'Official', date: '1970-01-26', artist: 'Simon & Garfunkel', releaseGroup: { title: 'The Double', primaryType: 'Album' } });
      const recordings = [...stored.media].sort((a, b) => a.position - b.position).flatMap((m) => [...m.tracks].sort((a, b) => a.position - b.position).map((t) => t.recording.id));
      expect(r!.tracks).toEqual([
        { position: 1, title: 'Opening', lengthMs: 185_000, recordingId: recordings[0], artist: 'Simon & Garfunkel' },
        { position: 2, title: 'Duet', lengthMs: 240_500, recordingId: recordings[1], artist: 'Simon & Garfunkel feat. Guest Singer' },
        { position: 3, title: 'Side Two', lengthMs: 301_920, recordingId: recordings[2], artist: 'Simon & Garfunkel' },
        { position: 4, title: 'Untitled Jam', lengthMs: null, recordingId: recordings[3], artist: 'Simon & Garfunkel' },
      ]);
      expect(new Set(recordings).size).toBe(4);
    } finally {
      stored.media.reverse();
      for (const m of stored.media) m.tracks.reverse();
    }
  });

  it('asks for inc=recordings+artist-credits+release-groups in one request', async () => {
    await client().releaseWithTracks(doubleAlbum.id);
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req!.path).toBe(`/ws/2/release/${doubleAlbum.id}`);
    expect(req!.query.get('inc')).toBe('recordings artist-credits release-groups'); // `+` on the wire
    expect(req!.query.get('fmt')).toBe('json');
  });

  it("takes the recording's length when the track has none, and null when neither has one", async () => {
    const r = await client().releaseWithTracks(doubleAlbum.id);
    const side2 = doubleAlbum.media[1]!.tracks;
    expect(side2.map((t) => [t.length, t.recording.length])).toEqual([
      [null, 301_920],
      [null, null],
    ]);
    expect(r!.tracks.slice(2).map((t) => t.lengthMs)).toEqual([301_920, null]);
  });

  it('returns null for an unknown release (404) and refuses a malformed MBID without asking', async () => {
    expect(await client().releaseWithTracks(fakeMbid(999_997))).toBeNull();
    expect(fake.requests).toHaveLength(1);
    await expectCode(client().releaseWithTracks('nope'), 'bad_request', null);
    expect(fake.requests).toHaveLength(1);
  });

  it('reads the default fake release: one medium of three tracks credited to the artist', async () => {
    const [release] = fake.releasesOf(single.id);
    const r = await client().releaseWithTracks(release!.id);
    expect(r!.artist).toBe('Simon & Garfunkel');
    expect(r!.tracks.map((t) => [t.position, t.title, t.lengthMs, t.artist])).toEqual([
      [1, 'Track 1', 200_000, 'Simon & Garfunkel'],
      [2, 'Track 2', 200_000, 'Simon & Garfunkel'],
      [3, 'Track 3', 200_000, 'Simon & Garfunkel'],
    ]);
  });

  it('returns an empty track list for a release without media', async () => {
    const group = fake.releaseGroups.get(duo.id)!.find((g) => g.title === 'Plain Single')!;
    const empty = fake.addRelease(duo.id, group, { status: 'Bootleg', media: [] });
    try {
      expect(await client().releaseWithTracks(empty.id)).toMatchObject({ id: empty.id, status: 'Bootleg', artist: 'Simon & Garfunkel', tracks: [] });
    } finally {
      const list = fake.releases.get(duo.id)!;
      list.splice(list.indexOf(empty), 1);
    }
  });

  it('fetches the chosen release of a group: official before an earlier promotion', async () => {
    const group = fake.releaseGroups.get(duo.id)!.find((g) => g.title === 'The Double')!;
    const c = client();
    const browsed = await c.browseReleases(duo.id);
    // the group's first release (one placeholder track) and the double album are both official, same date: ties by id
    const chosen = chooseRelease(browsed.items, group.id);
    expect(chosen?.id).toBe(fake.releasesOf(group.id).map((r) => r.id).sort()[0]);
    const promo = fake.addRelease(duo.id, group, { status: 'Promotion', date: '1969-12' });
    try {
      const again = chooseRelease((await c.browseReleases(duo.id)).items, group.id);
      expect(again?.id).not.toBe(promo.id);
      expect(again?.id).toBe(chosen?.id);
      expect((await c.releaseWithTracks(again!.id))?.tracks.length).toBeGreaterThan(0);
    } finally {
      const list = fake.releases.get(duo.id)!;
      list.splice(list.indexOf(promo), 1);
    }
  });

  it('the fake, like MusicBrainz, sends media and credits only when inc asks for them', async () => {
    const get = async (path: string): Promise<Record<string, unknown>> => {
      const res = await fetch(`${fake.url}/ws/2/${path}`, { headers: { 'user-agent': `${UA} ( ${CONTACT} )` } });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    const bare = await get(`release/${doubleAlbum.id}?fmt=json`);
    expect(bare).not.toHaveProperty('media');
    expect(bare).not.toHaveProperty('artist-credit');
    expect(bare).not.toHaveProperty('release-group');
    const tracks = await get(`release/${doubleAlbum.id}?fmt=json&inc=recordings`);
    const media = tracks.media as { tracks: Record<string, unknown>[] }[];
    expect(media).toHaveLength(2);
    expect(media[0]!.tracks[0]).toHaveProperty('recording.id');
    expect(media[0]!.tracks[0]).not.toHaveProperty('artist-credit');
    expect(tracks).not.toHaveProperty('artist-credit');
    const credited = await get(`release/${doubleAlbum.id}?fmt=json&inc=artist-credits`);
    expect(credited).toHaveProperty(['artist-credit', 0, 'artist', 'id'], duo.id);
    expect(credited).not.toHaveProperty('media');
    const browse = await get(`release?artist=${duo.id}&fmt=json&inc=release-groups`);
    for (const r of browse.releases as Record<string, unknown>[]) {
      expect(r).not.toHaveProperty('media');
      expect(r).not.toHaveProperty('artist-credit');
      expect(r).toHaveProperty('release-group');
    }
  });
});

describe('MusicBrainzClient: browse pagination', () => {
  it('pages through every release group, 100 at a time', async () => {
    const r = await client().browseReleaseGroups(prolific.id);
    expect(r.total).toBe(230);
    expect(r.truncated).toBe(false);
    expect(new Set(r.items.map((g) => g.id)).size).toBe(230);
    expect(fake.requests.map((q) => [q.path, q.query.get('limit'), q.query.get('offset'), q.query.get('artist')])).toEqual([
      ['/ws/2/release-group', '100', '0', prolific.id],
      ['/ws/2/release-group', '100', '100', prolific.id],
      ['/ws/2/release-group', '100', '200', prolific.id],
    ]);
  });

  it('filters by type (type=album|ep) and stops after the last page', async () => {
    const r = await client().browseReleaseGroups(radiohead.id, { type: ['Album', 'EP'] });
    expect(r.items.map((g) => g.title).sort()).toEqual(['A Moon Shaped Pool', 'OK Computer']);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.query.get('type')).toBe('album|ep');
  });

  it('advances the offset by what a short release page held (the 500-track rule)', async () => {
    fake.releasePageSize = 40;
    const r = await client().browseReleases(shortPages.id, { type: ['album'], status: ['official'] });
    expect(r.items).toHaveLength(95);
    expect(r.items[0]!.releaseGroup).toMatchObject({ title: 'Box 0', primaryType: 'Album', firstReleaseDate: '2010' });
    expect(fake.requests.map((q) => q.query.get('offset'))).toEqual(['0', '40', '80']);
    expect(fake.requests[0]!.query.get('status')).toBe('official');
    expect(fake.requests[0]!.query.get('inc')).toBe('release-groups');
  });

  it('stops at the safety cap and says the list is truncated', async () => {
    const r = await client({ maxBrowseItems: 150 }).browseReleaseGroups(prolific.id);
    expect(r).toMatchObject({ total: 230, truncated: true });
    expect(r.items).toHaveLength(150);
    expect(fake.requests).toHaveLength(2);
  });

  it('fails with not_found when browsing an unknown artist', async () => {
    await expectCode(client().browseReleaseGroups(fakeMbid(999_998)), 'not_found', 404);
  });
});

describe('MusicBrainzClient: one request per interval', () => {
  it('spaces concurrent callers at least minIntervalMs apart at the server', async () => {
    fake.enforceIntervalMs = 100 - JITTER_MS; // the fake answers 503 to anything closer
    const c = client({ minIntervalMs: 100 });
    const calls = [
      c.lookupArtist(radiohead.id),
      c.searchArtists('Radiohead'),
      c.browseReleaseGroups(radiohead.id),
      c.lookupArtist(prolific.id),
      c.browseReleaseGroups(prolific.id), // three pages
    ];
    await Promise.all(calls);
    expect(fake.requests).toHaveLength(7);
    for (const gap of gaps(fake.requests.map((r) => r.at))) expect(gap).toBeGreaterThanOrEqual(100 - JITTER_MS);
  });

  it('keeps the documented one second between two calls by default', async () => {
    const c = new MusicBrainzClient({ baseUrl: fake.url, userAgent: UA, contact: CONTACT });
    await c.lookupArtist(radiohead.id);
    await c.lookupArtist(radiohead.id);
    const [gap] = gaps(fake.requests.map((r) => r.at));
    expect(gap).toBeGreaterThanOrEqual(1000 - JITTER_MS);
    expect(gap).toBeLessThan(1500);
  });
});

describe('MusicBrainzClient: throttling and errors', () => {
  it('honours Retry-After on 503 for every caller, then succeeds', async () => {
    fake.script = [{ status: 503, retryAfter: '1' }];
    const c = client({ minIntervalMs: 50 });
    const [a, b] = await Promise.all([c.lookupArtist(radiohead.id), c.lookupArtist(prolific.id)]);
    expect(a?.name).toBe('Radiohead');
    expect(b?.name).toBe('Prolific');
    expect(fake.requests).toHaveLength(3);
    const first = fake.requests[0]!.at;
    // neither the retry nor the other caller went out during the pause the server asked for
    for (const r of fake.requests.slice(1)) expect(r.at - first).toBeGreaterThanOrEqual(1000 - JITTER_MS);
  });

  it('backs off 1 s, 2 s on 503 without Retry-After, then succeeds', async () => {
    const clock = virtualClock();
    fake.script = [{ status: 503 }, { status: 503 }];
    const c = client({ minIntervalMs: 1000, now: clock.now, sleep: clock.sleep });
    expect((await c.lookupArtist(radiohead.id))?.name).toBe('Radiohead');
    expect(fake.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  it('gives up with rate_limited after maxAttempts of 503', async () => {
    const clock = virtualClock();
    fake.script = Array.from({ length: 10 }, () => ({ status: 503 }));
    const err = await expectCode(client({ minIntervalMs: 0, now: clock.now, sleep: clock.sleep }).lookupArtist(radiohead.id), 'rate_limited', 503);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('exceeding the allowable rate limit');
    expect(fake.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
  });

  it('treats 429 like 503 and waits the Retry-After seconds', async () => {
    const clock = virtualClock();
    fake.script = [{ status: 429, retryAfter: '3' }];
    const c = client({ minIntervalMs: 0, now: clock.now, sleep: clock.sleep });
    expect(await c.lookupArtist(radiohead.id)).not.toBeNull();
    expect(clock.sleeps).toEqual([3000]);
  });

  it('does not wait for a Retry-After longer than maxRetryAfterMs', async () => {
    fake.script = [{ status: 503, retryAfter: '3600' }];
    const err = await expectCode(client().lookupArtist(radiohead.id), 'rate_limited', 503);
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 401 and 403 to unauthorized and forbidden, without retrying', async () => {
    fake.script = [{ status: 401 }];
    await expectCode(client().lookupArtist(radiohead.id), 'unauthorized', 401);
    fake.script = [{ status: 403 }];
    const err = await expectCode(client().browseReleaseGroups(radiohead.id), 'forbidden', 403);
    expect(err.retryable).toBe(false);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries a 5xx, then fails with server_error', async () => {
    const clock = virtualClock();
    fake.script = [{ status: 502, body: '<html>Bad Gateway</html>' }];
    const c = client({ minIntervalMs: 0, now: clock.now, sleep: clock.sleep });
    expect(await c.lookupArtist(radiohead.id)).not.toBeNull();
    fake.script = Array.from({ length: 4 }, () => ({ status: 500 }));
    await expectCode(c.lookupArtist(radiohead.id), 'server_error', 500);
    expect(fake.requests).toHaveLength(2 + 4);
  });

  it('fails with malformed_response for a body that is not JSON or not the documented shape', async () => {
    fake.script = [{ malformed: true }];
    await expectCode(client().lookupArtist(radiohead.id), 'malformed_response', 200);
    fake.script = [{ wrongShape: true }];
    const err = await expectCode(client().searchArtists('Radiohead'), 'malformed_response', 200);
    expect(err.message).toMatch(/unexpected shape/);
    expect(fake.requests).toHaveLength(2);
  });

  it('fails with timeout when the answer does not come within timeoutMs', async () => {
    fake.script = [{ delayMs: 2000 }];
    const started = performance.now();
    const err = await expectCode(client({ timeoutMs: 150 }).lookupArtist(radiohead.id), 'timeout', null);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(err.retryable).toBe(true);
  });

  it('fails with network_error when nothing listens', async () => {
    const closed = await new FakeMusicBrainz().start();
    const url = closed.url;
    await closed.stop();
    await expectCode(client({ baseUrl: url }).lookupArtist(radiohead.id), 'network_error', null);
  });

  it("fails with aborted on the caller's signal, also while waiting for its turn", async () => {
    const c = client({ minIntervalMs: 5000 });
    await c.lookupArtist(radiohead.id);
    const ac = new AbortController();
    const waiting = c.lookupArtist(radiohead.id, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expectCode(waiting, 'aborted', null);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('helpers', () => {
  it('builds the documented User-Agent and refuses anonymous ones', () => {
    expect(buildUserAgent('Roadie/1.2.3', 'ops@example.test')).toBe('Roadie/1.2.3 ( ops@example.test )');
    expect(() => buildUserAgent('Roadie', 'ops@example.test')).toThrow(TypeError);
    expect(() => buildUserAgent('Roadie/1.2.3', ' ')).toThrow(TypeError);
    expect(() => new MusicBrainzClient({ baseUrl: fake.url, userAgent: 'undici', contact: CONTACT })).toThrow(TypeError);
  });
});
