/**
 * A client for the MusicBrainz Web Service v2 (`/ws/2`, JSON), written against its public
 * documentation (musicbrainz.org/doc/MusicBrainz_API, …/Rate_Limiting, …/Search):
 *
 * - every request carries a meaningful User-Agent, `App/version ( contact )`;
 * - at most one request per `minIntervalMs` (default 1000 ms, the documented "one call per
 *   second") across every caller of one client: a single gate hands out start times;
 * - 503 (MusicBrainz's "slow down") and 429 back off for every caller — Retry-After when the
 *   server sends it, else 1 s, 2 s, 4 s … — and fail with `rate_limited` after `maxAttempts`;
 * - browse requests page with `limit=100` and `offset` advanced by the entities received (the
 *   docs warn that release pages may hold fewer than `limit`), up to a safety cap;
 * - bodies are parsed with zod: anything else is `malformed_response`;
 * - a release's track list comes from one lookup with `inc=recordings+artist-credits`: `media[]`
 *   (by `position`), each with `tracks[]` (by `position`), each with its `recording` and
 *   `artist-credit`; lengths are milliseconds or null.
 *
 * The transport (undici `request`, a capped body read, a per-attempt timeout) and the error
 * class are shared with the Cover Art Archive client (coverart.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { parseRetryAfter } from '../domain/http/retry-after.js';
import { isRetryableServiceCode } from '../domain/http/service-errors.js';

export const METABRAINZ_ERROR_CODES = [
  /** 400: an argument the service refused (an invalid MBID, a bad query), or refused locally. */
  'bad_request',
  /** 401. */
  'unauthorized',
  /** 403 (MusicBrainz answers 403 to a request without a User-Agent). */
  'forbidden',
  /** 404 where "nothing" is not an answer (browse of an unknown artist). Lookups return null. */
  'not_found',
  /** 503 / 429 still coming after the retries, or a Retry-After longer than the client waits. */
  'rate_limited',
  /** Any other 5xx after the retries. */
  'server_error',
  /** Any other status. */
  'http_error',
  /** The body is not the JSON (or image) the documentation describes. */
  'malformed_response',
  /** The body is larger than the client accepts. */
  'response_too_large',
  /** No complete answer within `timeoutMs`. */
  'timeout',
  /** Connection refused, reset, DNS failure. */
  'network_error',
  /** The caller's signal. */
  'aborted',
] as const;
export type MetaBrainzErrorCode = (typeof METABRAINZ_ERROR_CODES)[number];

/** A MusicBrainz or Cover Art Archive failure with its code; `status` when the server answered. */
export class MetaBrainzError extends Error {
  override name = 'MetaBrainzError';
  /** Whether asking again later may succeed (the caller's next cycle, not this client). */
  readonly retryable: boolean;
  constructor(
    readonly service: 'musicbrainz' | 'coverart',
    readonly code: MetaBrainzErrorCode,
    message: string,
    readonly status: number | null = null,
    /** For rate_limited: how long the server asked us to wait, when it said. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = isRetryableServiceCode(code);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared transport
// ---------------------------------------------------------------------------------------------

export const MBID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `Name/version ( contact )` as the MusicBrainz docs ask; refuses what would be anonymous. */
export function buildUserAgent(userAgent: string, contact: string): string {
  const ua = userAgent.trim();
  const c = contact.trim();
  if (!/^[^\s/]+\/\S+/.test(ua)) throw new TypeError(`User-Agent must start with "Application/version", got "${userAgent}"`);
  if (!c) throw new TypeError('a contact (URL or e-mail address) is required in the User-Agent');
  return `${ua} ( ${c} )`;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpGetOptions {
  service: 'musicbrainz' | 'coverart';
  headers: Record<string, string>;
  timeoutMs: number;
  /** Bodies longer than this fail with response_too_large (error bodies are cut, not failed). */
  maxBytes: number;
  dispatcher?: Dispatcher | undefined;
  signal?: AbortSignal | undefined;
}

/** Error bodies are read for their message only: a few KiB are plenty. */
const ERROR_BODY_BYTES = 16 << 10;

/** Drops a body we will not read; undici reports the destroy as an error nobody needs. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

const headerOf = (h: HttpAnswer['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * One GET: the whole body read (capped) within `timeoutMs`. Throws MetaBrainzError for
 * timeouts, network errors, the caller's abort and oversized bodies; statuses are the caller's.
 */
export async function httpGet(url: string, o: HttpGetOptions): Promise<HttpAnswer> {
  if (o.signal?.aborted) throw new MetaBrainzError(o.service, 'aborted', `request aborted: ${url}`);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout.signal]) : timeout.signal;
  const fail = (err: unknown): MetaBrainzError => {
    if (err instanceof MetaBrainzError) return err;
    if (timeout.signal.aborted) return new MetaBrainzError(o.service, 'timeout', `no answer from ${url} within ${o.timeoutMs} ms`, null, null, { cause: err });
    if (o.signal?.aborted) return new MetaBrainzError(o.service, 'aborted', `request aborted: ${url}`, null, null, { cause: err });
    const msg = err instanceof Error ? err.message : String(err);
    return new MetaBrainzError(o.service, 'network_error', `network error for ${url}: ${msg}`, null, null, { cause: err });
  };
  try {
    const res = await request(url, { method: 'GET', headers: o.headers, signal, ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}) }).catch((err: unknown) => {
      throw fail(err);
    });
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const cap = ok ? o.maxBytes : ERROR_BODY_BYTES;
    const announced = Number(headerOf(res.headers, 'content-length') ?? NaN);
    if (ok && announced > cap) {
      discard(res.body);
      throw new MetaBrainzError(o.service, 'response_too_large', `${url} announces ${announced} bytes, more than the ${cap} accepted`, res.statusCode);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > cap) {
          discard(res.body);
          if (ok) throw new MetaBrainzError(o.service, 'response_too_large', `${url} sent more than the ${cap} bytes accepted`, res.statusCode);
          chunks.push(b.subarray(0, b.length - (size - cap)));
          size = cap;
          break;
        }
        chunks.push(b);
      }
    } catch (err) {
      throw fail(err);
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks, size) };
  } finally {
    clearTimeout(timer);
  }
}

/** The `error` text of a MusicBrainz / CAA JSON error body (`{"error": "…", "help": "…"}`), else a short excerpt. */
export function errorText(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && 'error' in v && typeof v.error === 'string') return v.error.slice(0, 300);
  } catch {
    // not JSON: fall through
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

// ---------------------------------------------------------------------------------------------
// The one-request-per-interval gate
// ---------------------------------------------------------------------------------------------

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const realSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : {});

/**
 * Hands out request start times at least `minIntervalMs` apart, first come first served, and
 * holds every caller back while the service asked for a pause (`blockUntil`). One gate per
 * client; share one between clients (the `gate` option) that must count as one.
 */
export class RequestGate {
  #nextAt = -Infinity;
  #blockedUntil = -Infinity;
  constructor(
    readonly minIntervalMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: Sleep = realSleep,
  ) {}

  /** Resolves when the caller may send its request. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const at = Math.max(this.now(), this.#nextAt, this.#blockedUntil);
      this.#nextAt = at + this.minIntervalMs;
      // timers may fire a little early against the clock: sleep until the slot really came
      for (let now = this.now(); now < at; now = this.now()) await this.sleep(at - now, signal);
      if (this.now() >= this.#blockedUntil) return; // a 503 seen while we slept: queue again
    }
  }

  /** No request starts before `until` (the gate's clock). */
  blockUntil(until: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, until);
  }
}

// ---------------------------------------------------------------------------------------------
// Response shapes (the documented JSON; unknown fields are ignored)
// ---------------------------------------------------------------------------------------------

const str = z.string();
const optStr = z.string().nullish();

const lifeSpanSchema = z.object({ begin: optStr, end: optStr, ended: z.boolean().nullish() }).nullish();

const artistSchema = z.object({
  id: str,
  name: str,
  'sort-name': optStr,
  type: optStr,
  country: optStr,
  disambiguation: optStr,
  'life-span': lifeSpanSchema,
  score: z.union([z.number(), z.string()]).nullish(),
});

const releaseGroupSchema = z.object({
  id: str,
  title: str,
  'primary-type': optStr,
  'secondary-types': z.array(str).nullish(),
  'first-release-date': optStr,
  disambiguation: optStr,
});

const releaseSchema = z.object({
  id: str,
  title: str,
  status: optStr,
  date: optStr,
  country: optStr,
  disambiguation: optStr,
  'release-group': releaseGroupSchema.nullish(),
});

/** A name credit: the credited name, what joins it to the next one (" & ", " feat. "), the artist. */
const artistCreditSchema = z.array(
  z.object({
    name: optStr,
    joinphrase: optStr,
    artist: z.object({ id: str, name: str }).nullish(),
  }),
);

/** Milliseconds, or null when unknown; MusicBrainz sends an integer or null. */
const lengthSchema = z.number().nullish();

const recordingSchema = z.object({
  id: str,
  title: str,
  length: lengthSchema,
});

const trackSchema = z.object({
  id: optStr,
  /** 1-based within its medium. */
  position: z.number().nullish(),
  /** The printed number ("1", "A1"). */
  number: optStr,
  title: optStr,
  length: lengthSchema,
  recording: recordingSchema,
  'artist-credit': artistCreditSchema.nullish(),
});

const mediumSchema = z.object({
  position: z.number().nullish(),
  format: optStr,
  'track-count': z.number().nullish(),
  tracks: z.array(trackSchema).nullish(),
});

/** A release lookup with `inc=recordings+artist-credits+release-groups`. */
const releaseWithTracksSchema = releaseSchema.extend({
  'artist-credit': artistCreditSchema.nullish(),
  media: z.array(mediumSchema).nullish(),
});

const searchArtistsSchema = z.object({ count: z.number().int().min(0), offset: z.number().int().min(0), artists: z.array(artistSchema) });
const releaseGroupPageSchema = z.object({
  'release-group-count': z.number().int().min(0),
  'release-group-offset': z.number().int().min(0),
  'release-groups': z.array(releaseGroupSchema),
});
const releasePageSchema = z.object({
  'release-count': z.number().int().min(0),
  'release-offset': z.number().int().min(0),
  releases: z.array(releaseSchema),
});

export interface MbArtist {
  id: string;
  name: string;
  sortName: string | null;
  type: string | null;
  country: string | null;
  disambiguation: string | null;
  begin: string | null;
  end: string | null;
  /** Search only: 0–100. */
  score: number | null;
}

export interface MbReleaseGroup {
  id: string;
  title: string;
  /** Album, Single, EP, Broadcast, Other, or null. */
  primaryType: string | null;
  /** Compilation, Live, Remix, … */
  secondaryTypes: string[];
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; null when unknown. */
  firstReleaseDate: string | null;
  disambiguation: string | null;
}

export interface MbRelease {
  id: string;
  title: string;
  status: string | null;
  date: string | null;
  country: string | null;
  disambiguation: string | null;
  releaseGroup: MbReleaseGroup | null;
}

export interface MbTrack {
  /** 1-based position over the whole release (medium 1's tracks first, then medium 2's …). */
  position: number;
  title: string;
  /** Milliseconds; null when MusicBrainz does not know. */
  lengthMs: number | null;
  recordingId: string;
  /** The track's artist credit as one string (names joined with their joinphrases); null when absent. */
  artist: string | null;
}

export interface MbReleaseWithTracks extends MbRelease {
  /** The release's artist credit as one string; null when absent. */
  artist: string | null;
  tracks: MbTrack[];
}

const blankToNull = (v: string | null | undefined): string | null => (v == null || v === '' ? null : v);

const toArtist = (a: z.infer<typeof artistSchema>): MbArtist => ({
  id: a.id,
  name: a.name,
  sortName: blankToNull(a['sort-name']),
  type: blankToNull(a.type),
  country: blankToNull(a.country),
  disambiguation: blankToNull(a.disambiguation),
  begin: blankToNull(a['life-span']?.begin),
  end: blankToNull(a['life-span']?.end),
  score: a.score == null ? null : Number(a.score),
});

const toReleaseGroup = (g: z.infer<typeof releaseGroupSchema>): MbReleaseGroup => ({
  id: g.id,
  title: g.title,
  primaryType: blankToNull(g['primary-type']),
  secondaryTypes: g['secondary-types'] ?? [],
  firstReleaseDate: blankToNull(g['first-release-date']),
  disambiguation: blankToNull(g.disambiguation),
});

const toRelease = (r: z.infer<typeof releaseSchema>): MbRelease => ({
  id: r.id,
  title: r.title,
  status: blankToNull(r.status),
  date: blankToNull(r.date),
  country: blankToNull(r.country),
  disambiguation: blankToNull(r.disambiguation),
  releaseGroup: r['release-group'] ? toReleaseGroup(r['release-group']) : null,
});

/** An artist credit as MusicBrainz prints it: each credited name followed by its joinphrase. */
const creditText = (credit: z.infer<typeof artistCreditSchema> | null | undefined): string | null =>
  blankToNull(
    (credit ?? [])
      .map((c) => `${c.name ?? c.artist?.name ?? ''}${c.joinphrase ?? ''}`)
      .join('')
      .trim(),
  );

const toLengthMs = (v: number | null | undefined): number | null => (v == null || v < 0 ? null : Math.round(v));

/** By `position` (missing positions last), keeping the service's order for ties. */
const byPosition = <T extends { position?: number | null | undefined }>(items: readonly T[]): T[] =>
  items
    .map((item, i) => ({ item, i, at: item.position ?? Infinity }))
    .sort((a, b) => (a.at === b.at ? a.i - b.i : a.at - b.at))
    .map((x) => x.item);

const toReleaseWithTracks = (r: z.infer<typeof releaseWithTracksSchema>): MbReleaseWithTracks => ({
  ...toRelease(r),
  artist: creditText(r['artist-credit']),
  tracks: byPosition(r.media ?? [])
    .flatMap((m) => byPosition(m.tracks ?? []))
    .map((t, i) => ({
      position: i + 1,
      title: blankToNull(t.title) ?? t.recording.title,
      lengthMs: toLengthMs(t.length) ?? toLengthMs(t.recording.length),
      recordingId: t.recording.id,
      artist: creditText(t['artist-credit']),
    })),
});

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export interface MusicBrainzClientOptions {
  /** `https://musicbrainz.org` or `…/ws/2` (ROADIE_MUSICBRAINZ_URL). */
  baseUrl: string;
  /** `Application/version`, e.g. `Roadie/0.1.0`. */
  userAgent: string;
  /** A URL or e-mail address the MusicBrainz admins can reach the operator at. */
  contact: string;
  /** Least time between two request starts; default 1000 (the documented limit). */
  minIntervalMs?: number;
  /** Per attempt, headers and body; default 15 000. */
  timeoutMs?: number;
  /** Attempts for 503 / 429 / other 5xx before giving up; default 4. */
  maxAttempts?: number;
  /** First backoff without Retry-After, doubled each time; default 1000. */
  backoffBaseMs?: number;
  /** A Retry-After longer than this is not waited for: rate_limited at once; default 60 000. */
  maxRetryAfterMs?: number;
  /** Safety cap for browse: entities collected at most; default 2000. */
  maxBrowseItems?: number;
  /** Largest JSON body accepted; default 8 MiB. */
  maxResponseBytes?: number;
  dispatcher?: Dispatcher;
  /** A gate shared with other clients; default a gate of this client's own. */
  gate?: RequestGate;
  /** Monotonic clock for the gate and backoff (ms); default performance.now. */
  now?: () => number;
  /** Default timers/promises setTimeout. */
  sleep?: Sleep;
  /** Wall clock for HTTP-date Retry-After; default Date.now. */
  wallClock?: () => number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface BrowseOptions extends CallOptions {
  /** Release-group types, e.g. ['album', 'ep'] (sent as `type=album|ep`). */
  type?: readonly string[];
  /** Stop after this many entities (default the client's maxBrowseItems). */
  maxItems?: number;
}

export interface BrowseReleasesOptions extends BrowseOptions {
  /** Release statuses, e.g. ['official']. */
  status?: readonly string[];
}

export interface BrowseResult<T> {
  items: T[];
  /** What the service says there are. */
  total: number;
  /** The safety cap stopped the paging before `total` was reached. */
  truncated: boolean;
}

export interface SearchResult<T> {
  items: T[];
  count: number;
  offset: number;
}

/** Browse and search pages hold at most 100 entities (documented). */
export const MAX_PAGE_SIZE = 100;

/** Quotes a search term for the Lucene query syntax. */
export function luceneQuote(term: string): string {
  return `"${term.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export class MusicBrainzClient {
  readonly userAgent: string;
  readonly gate: RequestGate;
  readonly #root: string;
  readonly #o: Required<Pick<MusicBrainzClientOptions, 'timeoutMs' | 'maxAttempts' | 'backoffBaseMs' | 'maxRetryAfterMs' | 'maxBrowseItems' | 'maxResponseBytes'>>;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #wallClock: () => number;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(o: MusicBrainzClientOptions) {
    this.userAgent = buildUserAgent(o.userAgent, o.contact);
    const base = o.baseUrl.replace(/\/+$/, '');
    this.#root = /\/ws\/2$/.test(base) ? base : `${base}/ws/2`;
    this.#now = o.now ?? (() => performance.now());
    this.#sleep = o.sleep ?? realSleep;
    this.#wallClock = o.wallClock ?? Date.now;
    this.#dispatcher = o.dispatcher;
    this.gate = o.gate ?? new RequestGate(o.minIntervalMs ?? 1000, this.#now, this.#sleep);
    this.#o = {
      timeoutMs: o.timeoutMs ?? 15_000,
      maxAttempts: Math.max(1, o.maxAttempts ?? 4),
      backoffBaseMs: o.backoffBaseMs ?? 1000,
      maxRetryAfterMs: o.maxRetryAfterMs ?? 60_000,
      maxBrowseItems: o.maxBrowseItems ?? 2000,
      maxResponseBytes: o.maxResponseBytes ?? 8 << 20,
    };
  }

  /** `GET /ws/2/artist/{mbid}`; null when MusicBrainz has no such artist. */
  async lookupArtist(mbid: string, o: CallOptions & { inc?: readonly string[] } = {}): Promise<MbArtist | null> {
    const v = await this.#lookup('artist', mbid, artistSchema, o.inc, o.signal);
    return v && toArtist(v);
  }

  /** `GET /ws/2/release-group/{mbid}`; null when unknown. */
  async lookupReleaseGroup(mbid: string, o: CallOptions = {}): Promise<MbReleaseGroup | null> {
    const v = await this.#lookup('release-group', mbid, releaseGroupSchema, undefined, o.signal);
    return v && toReleaseGroup(v);
  }

  /** `GET /ws/2/release/{mbid}?inc=release-groups`; null when unknown. */
  async lookupRelease(mbid: string, o: CallOptions = {}): Promise<MbRelease | null> {
    const v = await this.#lookup('release', mbid, releaseSchema, ['release-groups'], o.signal);
    return v && toRelease(v);
  }

  /**
   * `GET /ws/2/release/{mbid}?inc=recordings+artist-credits+release-groups`: the release with its
   * track list, ordered by medium then track position; null when unknown. A track without a title
   * or length of its own takes its recording's.
   */
  async releaseWithTracks(mbid: string, o: CallOptions = {}): Promise<MbReleaseWithTracks | null> {
    const v = await this.#lookup('release', mbid, releaseWithTracksSchema, ['recordings', 'artist-credits', 'release-groups'], o.signal);
    return v && toReleaseWithTracks(v);
  }

  /** `GET /ws/2/artist?query=artist:"name"`: one page of matches, best first. */
  async searchArtists(name: string, o: CallOptions & { limit?: number; offset?: number } = {}): Promise<SearchResult<MbArtist>> {
    if (!name.trim()) throw new MetaBrainzError('musicbrainz', 'bad_request', 'an artist name is required');
    const params = new URLSearchParams({
      query: `artist:${luceneQuote(name.trim())}`,
      limit: String(Math.min(MAX_PAGE_SIZE, Math.max(1, o.limit ?? 25))),
      offset: String(Math.max(0, o.offset ?? 0)),
    });
    const answer = await this.#getJson('artist', params, searchArtistsSchema, o.signal);
    if (!answer) throw new MetaBrainzError('musicbrainz', 'not_found', 'artist search answered 404', 404);
    return { items: answer.artists.map(toArtist), count: answer.count, offset: answer.offset };
  }

  /** `GET /ws/2/release-group?artist={mbid}`, every page. */
  async browseReleaseGroups(artistMbid: string, o: BrowseOptions = {}): Promise<BrowseResult<MbReleaseGroup>> {
    const params = this.#browseParams(artistMbid, o);
    return this.#browse(params, o, async (p) => {
      const page = await this.#browsePage('release-group', p, releaseGroupPageSchema, o.signal);
      return { items: page['release-groups'].map(toReleaseGroup), total: page['release-group-count'] };
    });
  }

  /** `GET /ws/2/release?artist={mbid}&inc=release-groups`, every page. */
  async browseReleases(artistMbid: string, o: BrowseReleasesOptions = {}): Promise<BrowseResult<MbRelease>> {
    const params = this.#browseParams(artistMbid, o);
    if (o.status?.length) params.set('status', o.status.join('|'));
    params.set('inc', 'release-groups');
    return this.#browse(params, o, async (p) => {
      const page = await this.#browsePage('release', p, releasePageSchema, o.signal);
      return { items: page.releases.map(toRelease), total: page['release-count'] };
    });
  }

  #browseParams(artistMbid: string, o: BrowseOptions): URLSearchParams {
    checkMbid(artistMbid);
    const params = new URLSearchParams({ artist: artistMbid.toLowerCase() });
    if (o.type?.length) params.set('type', o.type.map((t) => t.toLowerCase()).join('|'));
    return params;
  }

  async #browse<T>(
    params: URLSearchParams,
    o: BrowseOptions,
    fetchPage: (p: URLSearchParams) => Promise<{ items: T[]; total: number }>,
  ): Promise<BrowseResult<T>> {
    const cap = o.maxItems ?? this.#o.maxBrowseItems;
    const items: T[] = [];
    let total = 0;
    for (let offset = 0; ; ) {
      const p = new URLSearchParams(params);
      p.set('limit', String(MAX_PAGE_SIZE));
      p.set('offset', String(offset));
      const page = await fetchPage(p);
      total = page.total;
      items.push(...page.items);
      // advance by what came: release pages can be shorter than `limit` (docs, Browse)
      offset += page.items.length;
      if (page.items.length === 0 || offset >= total) return { items, total, truncated: false };
      if (items.length >= cap) return { items: items.slice(0, cap), total, truncated: true };
    }
  }

  async #browsePage<S extends z.ZodType>(entity: string, params: URLSearchParams, schema: S, signal: AbortSignal | undefined): Promise<z.infer<S>> {
    const v = await this.#getJson(entity, params, schema, signal);
    if (v === null) throw new MetaBrainzError('musicbrainz', 'not_found', `${entity} browse for ${params.toString()}: 404`, 404);
    return v;
  }

  async #lookup<S extends z.ZodType>(entity: string, mbid: string, schema: S, inc: readonly string[] | undefined, signal: AbortSignal | undefined): Promise<z.infer<S> | null> {
    checkMbid(mbid);
    const params = new URLSearchParams();
    if (inc?.length) params.set('inc', inc.join('+'));
    return this.#getJson(`${entity}/${mbid.toLowerCase()}`, params, schema, signal);
  }

  /**
   * One call through the gate, with retries for 503 / 429 / 5xx. 404 → null: the caller
   * decides what "nothing" means (a lookup returns it, a browse fails with not_found).
   */
  async #getJson<S extends z.ZodType>(path: string, params: URLSearchParams, schema: S, signal: AbortSignal | undefined): Promise<z.infer<S> | null> {
    const q = new URLSearchParams(params);
    q.set('fmt', 'json');
    const url = `${this.#root}/${path}?${q.toString().replace(/%2B/gi, '+')}`;
    const headers = { 'user-agent': this.userAgent, accept: 'application/json' };
    for (let attempt = 1; ; attempt++) {
      await this.gate.acquire(signal).catch((err: unknown) => {
        throw new MetaBrainzError('musicbrainz', 'aborted', `request aborted: ${url}`, null, null, { cause: err });
      });
      const res = await httpGet(url, { service: 'musicbrainz', headers, timeoutMs: this.#o.timeoutMs, maxBytes: this.#o.maxResponseBytes, dispatcher: this.#dispatcher, signal });
      const s = res.status;
      if (s === 200) return parseBody(res.body, schema, url);
      if (s === 404) return null;
      const detail = errorText(res.body);
      const say = `HTTP ${s} for ${url}${detail ? `: ${detail}` : ''}`;
      if (s === 400) throw new MetaBrainzError('musicbrainz', 'bad_request', say, s);
      if (s === 401) throw new MetaBrainzError('musicbrainz', 'unauthorized', say, s);
      if (s === 403) throw new MetaBrainzError('musicbrainz', 'forbidden', say, s);
      const throttled = s === 503 || s === 429;
      if (!throttled && s < 500) throw new MetaBrainzError('musicbrainz', 'http_error', say, s);
      const code: MetaBrainzErrorCode = throttled ? 'rate_limited' : 'server_error';
      const retryAfter = parseRetryAfter(res.headers['retry-after'], this.#wallClock());
      if (retryAfter !== null && retryAfter > this.#o.maxRetryAfterMs) {
        throw new MetaBrainzError('musicbrainz', code, `${say} (Retry-After ${Math.round(retryAfter / 1000)} s is longer than the client waits)`, s, retryAfter);
      }
      if (attempt >= this.#o.maxAttempts) throw new MetaBrainzError('musicbrainz', code, `${say} (after ${attempt} attempts)`, s, retryAfter);
      const wait = retryAfter ?? this.#o.backoffBaseMs * 2 ** (attempt - 1);
      // every caller waits: the service throttles the client, not this one request
      this.gate.blockUntil(this.#now() + wait);
    }
  }
}

function checkMbid(mbid: string): void {
  if (!MBID_PATTERN.test(mbid)) throw new MetaBrainzError('musicbrainz', 'bad_request', `not a MusicBrainz identifier: "${mbid}"`);
}

function parseBody<S extends z.ZodType>(body: Buffer, schema: S, url: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new MetaBrainzError('musicbrainz', 'malformed_response', `${url} did not answer JSON`, 200, null, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
    throw new MetaBrainzError('musicbrainz', 'malformed_response', `${url} answered an unexpected shape (${where})`, 200, null, { cause: parsed.error });
  }
  return parsed.data as z.infer<S>;
}
