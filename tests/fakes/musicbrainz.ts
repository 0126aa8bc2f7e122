/**
 * A fake MusicBrainz Web Service v2 for tests: node:http on 127.0.0.1, port 0. It follows the
 * public documentation (musicbrainz.org/doc/MusicBrainz_API, …/Rate_Limiting, …/Search):
 *
 * - lookups `GET /ws/2/{artist|release-group|release}/{mbid}` → the entity, 404 `{"error":"Not Found"}`,
 *   400 for an MBID that is not a UUID;
 * - a release (lookup or browse) carries what its `inc` asks for, as MusicBrainz does:
 *   `release-group` with `release-groups`, `artist-credit` (on the release, its tracks and their
 *   recordings) with `artist-credits`, `media[]` with `tracks[]` and each track's `recording`
 *   with `recordings` (`media` alone: the media without their tracks); an `inc` the release resource does not know → 400;
 * - browse `GET /ws/2/{release-group|release}?artist={mbid}&type=a|b&status=…&limit&offset` →
 *   `{"release-group-count","release-group-offset","release-groups"}` / `{"release-count",
 *   "release-offset","releases"}`; limit 25 by default, at most 100; release pages may hold
 *   fewer than `limit` (the documented 500-track rule, `releasePageSize` here);
 * - search `GET /ws/2/artist?query=…&limit&offset` → `{"created","count","offset","artists"}` with scores;
 * - no User-Agent → 403; requests closer together than `enforceIntervalMs` → 503 with the
 *   rate-limit error body;
 * - `script`: answers for the next requests (503 with or without Retry-After, 401, 403, 500,
 *   malformed JSON, a wrong shape, a slow answer), consumed one per request.
 *
 * Every request is recorded with its arrival time (performance.now) and User-Agent.
 */
import http from 'node:http';
import { FakeServer } from './fake-server.js';

export interface FakeArtist {
  id: string;
  name: string;
  'sort-name': string;
  type: string | null;
  country: string | null;
  disambiguation: string;
  'life-span': { begin: string | null; end: string | null; ended: boolean };
}

export interface FakeReleaseGroup {
  id: string;
  title: string;
  'primary-type': string | null;
  'secondary-types': string[];
  'first-release-date': string;
  disambiguation: string;
}

/** One name credit, as MusicBrainz sends it in an `artist-credit` array. */
export interface FakeNameCredit {
  name: string;
  joinphrase: string;
  artist: { id: string; name: string; 'sort-name': string };
}

export interface FakeRecording {
  id: string;
  title: string;
  /** Milliseconds or null. */
  length: number | null;
  video: boolean;
  disambiguation: string;
  'artist-credit': FakeNameCredit[];
}

export interface FakeTrack {
  id: string;
  /** 1-based within the medium. */
  position: number;
  /** The printed number. */
  number: string;
  title: string;
  /** Milliseconds or null. */
  length: number | null;
  recording: FakeRecording;
  'artist-credit': FakeNameCredit[];
}

export interface FakeMedium {
  position: number;
  title: string;
  format: string | null;
  'track-count': number;
  'track-offset': number;
  tracks: FakeTrack[];
}

/** Everything the fake knows of a release; what a response holds depends on its `inc`. */
export interface FakeRelease {
  id: string;
  title: string;
  status: string | null;
  date: string;
  country: string | null;
  disambiguation: string;
  'release-group': FakeReleaseGroup;
  'artist-credit': FakeNameCredit[];
  media: FakeMedium[];
}

/** A track to put on a fake release. */
export interface FakeTrackSpec {
  title: string;
  /** The track's own length in ms; null when unknown; default 200 000. */
  lengthMs?: number | null;
  /** The recording's length in ms; default the track's. */
  recordingLengthMs?: number | null;
  /** The recording's title; default the track's. */
  recordingTitle?: string;
  /** The track's credit, e.g. `[{ name: 'A', joinphrase: ' feat. ' }, { name: 'B' }]`; default the release artist. */
  credit?: { name: string; joinphrase?: string }[];
}

/** A medium to put on a fake release. */
export interface FakeMediumSpec {
  /** Default "Digital Media". */
  format?: string | null;
  title?: string;
  tracks: FakeTrackSpec[];
}

export interface FakeReleaseOptions {
  /** Default the group's title. */
  title?: string;
  /** Default "Official". */
  status?: string | null;
  /** Default the group's first release date. */
  date?: string;
  /** Default "XW". */
  country?: string | null;
  /** Default one "Digital Media" medium of three 200 000 ms tracks, "Track 1" … "Track 3". */
  media?: FakeMediumSpec[];
}

/** One scripted answer, used instead of the normal one for a single request. */
export type ScriptedAnswer =
  | { status: number; retryAfter?: string; body?: string }
  /** 200 with a body that is not JSON. */
  | { malformed: true }
  /** 200 with JSON of the wrong shape. */
  | { wrongShape: true }
  /** The normal answer, after `delayMs`. */
  | { delayMs: number };

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  userAgent: string | undefined;
  accept: string | undefined;
}

const NOT_FOUND = { error: 'Not Found', help: 'For usage, please see: https://musicbrainz.org/development/mmd' };
/** The body MusicBrainz sends with its rate-limit 503. */
export const RATE_LIMIT_BODY = {
  error: 'Your requests are exceeding the allowable rate limit. Please see http://wiki.musicbrainz.org/XMLWebService for more information.',
  help: 'For usage, please see: https://musicbrainz.org/development/mmd',
};
/** The `inc` values MusicBrainz accepts on a release (documented list; `*-rels` as a pattern). */
const RELEASE_INCS = new Set([
  'artists', 'collections', 'labels', 'recordings', 'release-groups', 'media', 'artist-credits', 'discids', 'isrcs',
  'annotation', 'aliases', 'tags', 'ratings', 'genres', 'user-tags', 'user-ratings', 'user-genres', 'user-collections',
]);
const DEFAULT_TRACKS: FakeTrackSpec[] = [1, 2, 3].map((n) => ({ title: `Track ${n}`, lengthMs: 200_000 }));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let seq = 0;
/** A deterministic MBID-shaped id. */
export function fakeMbid(n = ++seq): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export class FakeMusicBrainz extends FakeServer {
  readonly artists = new Map<string, FakeArtist>();
  readonly releaseGroups = new Map<string, FakeReleaseGroup[]>(); // by artist
  readonly releases = new Map<string, FakeRelease[]>(); // by artist
  readonly requests: RecordedRequest[] = [];
  script: ScriptedAnswer[] = [];
  /** When set, a request arriving sooner than this after the previous one gets the rate-limit 503. */
  enforceIntervalMs: number | null = null;
  /** Releases per browse page at most (the documented 500-track rule makes pages short). */
  releasePageSize = 100;


  reset(): void {
    this.requests.length = 0;
    this.script = [];
    this.enforceIntervalMs = null;
    this.releasePageSize = 100;
  }

  addArtist(name: string, extra: Partial<FakeArtist> = {}): FakeArtist {
    const a: FakeArtist = {
      id: fakeMbid(),
      name,
      'sort-name': name,
      type: 'Group',
      country: 'GB',
      disambiguation: '',
      'life-span': { begin: '1990', end: null, ended: false },
      ...extra,
    };
    this.artists.set(a.id, a);
    this.releaseGroups.set(a.id, []);
    this.releases.set(a.id, []);
    return a;
  }

  /**
   * A release group of the artist, with one official release of it: one "Digital Media" medium
   * holding `tracks` (default "Track 1" … "Track 3", 200 000 ms each), credited to the artist.
   */
  addReleaseGroup(
    artistId: string,
    title: string,
    primaryType: string | null,
    firstReleaseDate: string,
    secondaryTypes: string[] = [],
    tracks: FakeTrackSpec[] = DEFAULT_TRACKS,
  ): FakeReleaseGroup {
    const g: FakeReleaseGroup = { id: fakeMbid(), title, 'primary-type': primaryType, 'secondary-types': secondaryTypes, 'first-release-date': firstReleaseDate, disambiguation: '' };
    this.releaseGroups.get(artistId)!.push(g);
    this.addRelease(artistId, g, { media: [{ tracks }] });
    return g;
  }

  /** Another release of one of the artist's release groups (several media, another status or date …). */
  addRelease(artistId: string, group: FakeReleaseGroup, o: FakeReleaseOptions = {}): FakeRelease {
    const artist = this.artists.get(artistId);
    if (!artist) throw new Error(`no fake artist ${artistId}`);
    const credit = (names?: { name: string; joinphrase?: string }[]): FakeNameCredit[] =>
      names
        ? names.map((c) => {
            const known = [...this.artists.values()].find((a) => a.name === c.name);
            const a = known ?? { id: fakeMbid(), name: c.name, 'sort-name': c.name };
            return { name: c.name, joinphrase: c.joinphrase ?? '', artist: { id: a.id, name: a.name, 'sort-name': a['sort-name'] } };
          })
        : [{ name: artist.name, joinphrase: '', artist: { id: artist.id, name: artist.name, 'sort-name': artist['sort-name'] } }];
    const media = (o.media ?? [{ tracks: DEFAULT_TRACKS }]).map((m, mi): FakeMedium => ({
      position: mi + 1,
      title: m.title ?? '',
      format: m.format === undefined ? 'Digital Media' : m.format,
      'track-count': m.tracks.length,
      'track-offset': 0,
      tracks: m.tracks.map((t, ti): FakeTrack => {
        const length = t.lengthMs === undefined ? 200_000 : t.lengthMs;
        const trackCredit = credit(t.credit);
        return {
          id: fakeMbid(),
          position: ti + 1,
          number: String(ti + 1),
          title: t.title,
          length,
          recording: {
            id: fakeMbid(),
            title: t.recordingTitle ?? t.title,
            length: t.recordingLengthMs === undefined ? length : t.recordingLengthMs,
            video: false,
            disambiguation: '',
            'artist-credit': trackCredit,
          },
          'artist-credit': trackCredit,
        };
      }),
    }));
    const r: FakeRelease = {
      id: fakeMbid(),
      title: o.title ?? group.title,
      status: o.status === undefined ? 'Official' : o.status,
      date: o.date ?? group['first-release-date'],
      country: o.country === undefined ? 'XW' : o.country,
      disambiguation: '',
      'release-group': group,
      'artist-credit': credit(),
      media,
    };
    this.releases.get(artistId)!.push(r);
    return r;
  }

  /** The releases of a release group, in the order they were added. */
  releasesOf(groupId: string): FakeRelease[] {
    return [...this.releases.values()].flat().filter((r) => r['release-group'].id === groupId);
  }

  protected override handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://fake');
    const rec: RecordedRequest = {
      at: performance.now(),
      method: req.method ?? 'GET',
      path: u.pathname,
      query: u.searchParams,
      userAgent: req.headers['user-agent'],
      accept: req.headers.accept,
    };
    const previous = this.requests.at(-1);
    this.requests.push(rec);
    const json = (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
    };

    if (!rec.userAgent) return json(403, { error: 'A User-Agent header is required.' });
    if (this.enforceIntervalMs !== null && previous && rec.at - previous.at < this.enforceIntervalMs) return json(503, RATE_LIMIT_BODY);

    const scripted = this.script.shift();
    if (scripted && 'status' in scripted) {
      const headers = scripted.retryAfter !== undefined ? { 'retry-after': scripted.retryAfter } : {};
      if (scripted.body !== undefined) {
        res.writeHead(scripted.status, { 'content-type': 'text/plain', ...headers }).end(scripted.body);
        return;
      }
      return json(scripted.status, scripted.status === 503 ? RATE_LIMIT_BODY : { error: http.STATUS_CODES[scripted.status] ?? 'Error' }, headers);
    }
    if (scripted && 'malformed' in scripted) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "truncated…');
      return;
    }
    const answer = (): void => {
      if (scripted && 'wrongShape' in scripted) return json(200, { artists: 'not a list', count: 'many' });
      this.#route(u, json);
    };
    if (scripted && 'delayMs' in scripted) {
      const t = setTimeout(answer, scripted.delayMs);
      res.once('close', () => clearTimeout(t));
      return;
    }
    answer();
  }

  #route(u: URL, json: (status: number, body: unknown) => void): void {
    const m = /^\/ws\/2\/(artist|release-group|release)(?:\/([^/]+))?\/?$/.exec(u.pathname);
    if (!m || u.searchParams.get('fmt') !== 'json') return json(404, NOT_FOUND);
    const [, entity, id] = m as unknown as [string, string, string | undefined];
    const q = u.searchParams;
    // `inc=a+b` arrives as "a b" once decoded
    const inc = new Set((q.get('inc') ?? '').split(/[+ ]/).filter(Boolean));
    const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? 25) || 25));
    const offset = Math.max(0, Number(q.get('offset') ?? 0) || 0);

    if (id !== undefined) {
      if (!UUID.test(id)) return json(400, { error: 'Invalid mbid.', help: NOT_FOUND.help });
      if (entity === 'release') {
        const bad = [...inc].find((i) => !RELEASE_INCS.has(i) && !/^[a-z-]+-rels$/.test(i));
        if (bad) return json(400, { error: `${bad} is not a valid inc parameter for the release resource.`, help: NOT_FOUND.help });
        const release = [...this.releases.values()].flat().find((r) => r.id === id);
        return release ? json(200, releaseView(release, inc)) : json(404, NOT_FOUND);
      }
      const found = entity === 'artist' ? this.artists.get(id) : [...this.releaseGroups.values()].flat().find((g) => g.id === id);
      return found ? json(200, found) : json(404, NOT_FOUND);
    }

    if (entity === 'artist') {
      const query = q.get('query');
      if (!query) return json(400, { error: 'You must provide a query.', help: NOT_FOUND.help });
      const term = /^artist:"((?:[^"\\]|\\.)*)"$/.exec(query)?.[1]?.replace(/\\(.)/g, '$1') ?? query;
      const hits = [...this.artists.values()]
        .filter((a) => a.name.toLowerCase().includes(term.toLowerCase()))
        .map((a) => ({ ...a, score: a.name.toLowerCase() === term.toLowerCase() ? 100 : 80 }))
        .sort((a, b) => b.score - a.score);
      return json(200, { created: new Date().toISOString(), count: hits.length, offset, artists: hits.slice(offset, offset + limit) });
    }

    const artist = q.get('artist');
    if (!artist || !UUID.test(artist)) return json(400, { error: 'Invalid artist.', help: NOT_FOUND.help });
    if (!this.artists.has(artist)) return json(404, NOT_FOUND);
    const types = q.get('type')?.split('|') ?? null;
    const statuses = q.get('status')?.split('|') ?? null;
    const typeOk = (g: FakeReleaseGroup): boolean => !types || types.includes((g['primary-type'] ?? '').toLowerCase());
    if (entity === 'release-group') {
      const all = this.releaseGroups.get(artist)!.filter(typeOk);
      return json(200, { 'release-group-count': all.length, 'release-group-offset': offset, 'release-groups': all.slice(offset, offset + limit) });
    }
    const all = this.releases.get(artist)!.filter((r) => typeOk(r['release-group']) && (!statuses || statuses.includes((r.status ?? '').toLowerCase())));
    const page = all.slice(offset, offset + Math.min(limit, this.releasePageSize)).map((r) => releaseView(r, inc));
    return json(200, { 'release-count': all.length, 'release-offset': offset, releases: page });
  }
}

/** A release as MusicBrainz sends it for `inc`: only the parts asked for. */
function releaseView(r: FakeRelease, inc: ReadonlySet<string>): Record<string, unknown> {
  const { 'release-group': group, 'artist-credit': credit, media, ...rest } = r;
  const credits = inc.has('artist-credits');
  const withCredit = <T extends { 'artist-credit': FakeNameCredit[] }>(x: T): Omit<T, 'artist-credit'> | T => {
    if (credits) return x;
    const { 'artist-credit': _c, ...bare } = x;
    return bare;
  };
  return {
    ...rest,
    ...(credits ? { 'artist-credit': credit } : {}),
    ...(inc.has('release-groups') ? { 'release-group': group } : {}),
    ...(inc.has('recordings')
      ? { media: media.map((m) => ({ ...m, tracks: m.tracks.map((t) => ({ ...withCredit(t), recording: withCredit(t.recording) })) })) }
      : inc.has('media')
        ? { media: media.map(({ tracks: _t, 'track-offset': _o, ...m }) => m) }
        : {}),
  };
}
