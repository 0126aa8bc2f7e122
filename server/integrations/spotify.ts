/**
 * Clients for Spotify's Accounts service and Web API, written against the public documentation
 * (developer.spotify.com: "Authorization Code with PKCE Flow", "Refreshing tokens", Web API
 * reference for /me, /me/playlists, /playlists/{id}/tracks, /me/tracks, /me/albums,
 * /me/following, /browse/new-releases; "Rate Limits"; "API calls" status codes):
 *
 * - tokens: `POST {accounts}/api/token`, form-encoded, `client_id` in the body (PKCE needs no
 *   secret), `grant_type=authorization_code` (code, redirect_uri, code_verifier) or
 *   `grant_type=refresh_token`; the answer is `{access_token, token_type, scope, expires_in,
 *   refresh_token?}` — a refresh may or may not return a new refresh token (keep the old one
 *   when not); errors are OAuth bodies `{"error":"invalid_grant","error_description":"Refresh
 *   token revoked"}`: a refresh refused with invalid_grant is `revoked` (reconnect needed);
 * - Web API errors are `{"error":{"status":401,"message":"The access token expired"}}`;
 *   401 → `unauthorized`, 403 → `forbidden`, 404 → `not_found`, 429 → `rate_limited` after
 *   honouring Retry-After (seconds) a bounded number of times, 5xx → `server_error` after a
 *   few tries with backoff;
 * - lists are paging objects `{href, items, limit, next, offset, previous, total}` followed by
 *   `next` until null; followed artists are a cursor page `{artists: {items, next, cursors:
 *   {after}, limit, total}}`; `next` is only followed on the API's own origin (the bearer token
 *   is never sent elsewhere);
 * - every body is checked with zod: anything else is `malformed_response`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { parseRetryAfter } from '../domain/http/retry-after.js';
import { isRetryableServiceCode } from '../domain/http/service-errors.js';
import { SPOTIFY_ACCOUNTS_URL, SPOTIFY_API_URL } from '../config.js';

export const SPOTIFY_ERROR_CODES = [
  /** 400 other than invalid_grant on refresh; a refused argument. */
  'bad_request',
  /** The refresh token was revoked or is unknown (invalid_grant): the user must connect again. */
  'revoked',
  /** invalid_client: the client id is wrong or the app was removed. */
  'invalid_client',
  /** 401: the access token expired or is invalid. */
  'unauthorized',
  /** 403: scope missing, user not allowed (development-mode app), … */
  'forbidden',
  'not_found',
  /** 429 still coming after the retries, or a Retry-After longer than the client waits. */
  'rate_limited',
  'server_error',
  'http_error',
  'malformed_response',
  'timeout',
  'network_error',
  'aborted',
] as const;
export type SpotifyErrorCode = (typeof SPOTIFY_ERROR_CODES)[number];

export class SpotifyError extends Error {
  override name = 'SpotifyError';
  readonly retryable: boolean;
  constructor(
    readonly service: 'accounts' | 'api',
    readonly code: SpotifyErrorCode,
    message: string,
    readonly status: number | null = null,
    /** rate_limited: what Retry-After asked for (ms), null when the server did not say. */
    readonly retryAfterMs: number | null = null,
    /** The OAuth `error` of an accounts answer (invalid_grant, invalid_client, …). */
    readonly oauthError: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = isRetryableServiceCode(code);
  }
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
const realSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : {});

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface SendOptions {
  service: 'accounts' | 'api';
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  dispatcher: Dispatcher | undefined;
  signal: AbortSignal | undefined;
}

/** One request with the whole body read (capped) within `timeoutMs`. */
async function send(url: string, o: SendOptions): Promise<Answer> {
  if (o.signal?.aborted) throw new SpotifyError(o.service, 'aborted', `request aborted: ${url}`);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout.signal]) : timeout.signal;
  const fail = (err: unknown): SpotifyError => {
    if (err instanceof SpotifyError) return err;
    if (timeout.signal.aborted) return new SpotifyError(o.service, 'timeout', `no answer from ${url} within ${o.timeoutMs} ms`, null, null, null, { cause: err });
    if (o.signal?.aborted) return new SpotifyError(o.service, 'aborted', `request aborted: ${url}`, null, null, null, { cause: err });
    return new SpotifyError(o.service, 'network_error', `network error for ${url}: ${err instanceof Error ? err.message : String(err)}`, null, null, null, { cause: err });
  };
  try {
    const res = await request(url, {
      method: o.method,
      headers: o.headers,
      ...(o.body !== undefined ? { body: o.body } : {}),
      signal,
      ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
    }).catch((err: unknown) => {
      throw fail(err);
    });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > o.maxBytes) {
          res.body.on('error', () => {});
          res.body.destroy();
          throw new SpotifyError(o.service, 'malformed_response', `${url} sent more than the ${o.maxBytes} bytes accepted`, res.statusCode);
        }
        chunks.push(b);
      }
    } catch (err) {
      throw fail(err);
    }
    return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks, size).toString('utf8') };
  } finally {
    clearTimeout(timer);
  }
}

function parseJson<S extends z.ZodType>(service: 'accounts' | 'api', text: string, schema: S, url: string, status: number): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SpotifyError(service, 'malformed_response', `${url} did not answer JSON`, status, null, null, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
    throw new SpotifyError(service, 'malformed_response', `${url} answered an unexpected shape (${where})`, status, null, null, { cause: parsed.error });
  }
  return parsed.data as z.infer<S>;
}

const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });
const apiErrorSchema = z.object({ error: z.object({ status: z.number().optional(), message: z.string().optional() }) });

function oauthErrorOf(text: string): { error: string | null; description: string } {
  try {
    const p = oauthErrorSchema.safeParse(JSON.parse(text));
    if (p.success) return { error: p.data.error, description: p.data.error_description ?? p.data.error };
  } catch {
    // not JSON
  }
  return { error: null, description: text.replace(/\s+/g, ' ').trim().slice(0, 200) };
}

function apiMessageOf(text: string): string {
  try {
    const p = apiErrorSchema.safeParse(JSON.parse(text));
    if (p.success && p.data.error.message) return p.data.error.message.slice(0, 300);
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

// ---------------------------------------------------------------------------------------------
// Accounts service
// ---------------------------------------------------------------------------------------------

export interface SpotifyTokens {
  accessToken: string;
  /** The new refresh token, or the one used when Spotify did not send a new one. */
  refreshToken: string;
  /** Whether `refreshToken` is new (store it). */
  refreshTokenRotated: boolean;
  /** Wall-clock ms. */
  expiresAt: number;
  /** Granted scopes. */
  scope: string[];
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  scope: z.string().optional().default(''),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1).optional(),
});

export interface SpotifyAuthClientOptions {
  /** `https://accounts.spotify.com`. */
  accountsBaseUrl?: string;
  clientId: string;
  /** Only for the plain Authorization Code flow; PKCE sends none. */
  clientSecret?: string;
  /** Default 10 000. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /** Wall clock for expiresAt; default Date.now. */
  now?: () => number;
}

export { SPOTIFY_ACCOUNTS_URL, SPOTIFY_API_URL };

export class SpotifyAuthClient {
  readonly #tokenUrl: string;
  readonly #o: SpotifyAuthClientOptions;
  readonly #now: () => number;

  constructor(o: SpotifyAuthClientOptions) {
    if (!o.clientId.trim()) throw new TypeError('a Spotify client id is required');
    this.#o = o;
    this.#tokenUrl = new URL('api/token', (o.accountsBaseUrl ?? SPOTIFY_ACCOUNTS_URL).replace(/\/*$/, '/')).toString();
    this.#now = o.now ?? Date.now;
  }

  /** Exchanges the code the callback received (PKCE: with the verifier kept for this state). */
  async exchangeCode(code: string, verifier: string, redirectUri: string, o: { signal?: AbortSignal } = {}): Promise<SpotifyTokens> {
    if (!code) throw new SpotifyError('accounts', 'bad_request', 'an authorization code is required');
    const t = await this.#token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }, 'exchange', o.signal);
    if (!t.refresh_token) throw new SpotifyError('accounts', 'malformed_response', 'the code exchange returned no refresh token', 200);
    return this.#tokens(t, null);
  }

  /** A fresh access token; invalid_grant (revoked, expired, already used) is `revoked`. */
  async refresh(refreshToken: string, o: { signal?: AbortSignal } = {}): Promise<SpotifyTokens> {
    if (!refreshToken) throw new SpotifyError('accounts', 'revoked', 'no refresh token stored: connect Spotify again');
    const t = await this.#token({ grant_type: 'refresh_token', refresh_token: refreshToken }, 'refresh', o.signal);
    return this.#tokens(t, refreshToken);
  }

  #tokens(t: z.infer<typeof tokenSchema>, previous: string | null): SpotifyTokens {
    const refreshToken = t.refresh_token ?? previous ?? '';
    return {
      accessToken: t.access_token,
      refreshToken,
      refreshTokenRotated: refreshToken !== previous,
      expiresAt: this.#now() + t.expires_in * 1000,
      scope: t.scope.split(/\s+/).filter(Boolean),
    };
  }

  async #token(form: Record<string, string>, kind: 'exchange' | 'refresh', signal: AbortSignal | undefined): Promise<z.infer<typeof tokenSchema>> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const body = new URLSearchParams(form);
    if (this.#o.clientSecret) headers.authorization = `Basic ${Buffer.from(`${this.#o.clientId}:${this.#o.clientSecret}`).toString('base64')}`;
    else body.set('client_id', this.#o.clientId);
    const url = this.#tokenUrl;
    const res = await send(url, { service: 'accounts', method: 'POST', headers, body: body.toString(), timeoutMs: this.#o.timeoutMs ?? 10_000, maxBytes: 64 << 10, dispatcher: this.#o.dispatcher, signal });
    const s = res.status;
    if (s === 200) return parseJson('accounts', res.text, tokenSchema, url, s);
    const { error, description } = oauthErrorOf(res.text);
    const say = `token ${kind}: HTTP ${s}${error ? ` ${error}` : ''}${description && description !== error ? `: ${description}` : ''}`;
    if (s === 429) throw new SpotifyError('accounts', 'rate_limited', say, s, parseRetryAfter(res.headers['retry-after']), error);
    if (s >= 500) throw new SpotifyError('accounts', 'server_error', say, s, null, error);
    if (error === 'invalid_grant') throw new SpotifyError('accounts', kind === 'refresh' ? 'revoked' : 'bad_request', say, s, null, error);
    if (error === 'invalid_client' || error === 'unauthorized_client') throw new SpotifyError('accounts', 'invalid_client', say, s, null, error);
    if (s === 400) throw new SpotifyError('accounts', 'bad_request', say, s, null, error);
    if (s === 401) throw new SpotifyError('accounts', 'invalid_client', say, s, null, error);
    if (s === 403) throw new SpotifyError('accounts', 'forbidden', say, s, null, error);
    throw new SpotifyError('accounts', 'http_error', say, s, null, error);
  }
}

// ---------------------------------------------------------------------------------------------
// Web API: response shapes (documented objects; unknown fields ignored)
// ---------------------------------------------------------------------------------------------

const externalUrls = z.object({ spotify: z.string().optional() }).nullish();
const images = z.array(z.object({ url: z.string(), width: z.number().nullish(), height: z.number().nullish() })).nullish();
const simpleArtistSchema = z.object({ id: z.string().nullable(), name: z.string(), external_urls: externalUrls });
const simpleAlbumSchema = z.object({
  id: z.string().nullable(),
  name: z.string(),
  album_type: z.string().nullish(),
  total_tracks: z.number().int().nullish(),
  release_date: z.string().nullish(),
  release_date_precision: z.string().nullish(),
  artists: z.array(simpleArtistSchema).default([]),
  external_urls: externalUrls,
  images,
});
const trackSchema = z.object({
  type: z.literal('track').optional(),
  id: z.string().nullable(),
  name: z.string(),
  uri: z.string().nullish(),
  duration_ms: z.number().int().min(0),
  explicit: z.boolean().nullish(),
  is_local: z.boolean().nullish(),
  artists: z.array(simpleArtistSchema),
  album: simpleAlbumSchema.nullish(),
  external_ids: z.object({ isrc: z.string().optional() }).nullish(),
  external_urls: externalUrls,
});
/** Playlist entries can be episodes; they are skipped. */
const episodeSchema = z.object({ type: z.literal('episode') }).loose();
const playlistEntrySchema = z.object({
  added_at: z.string().nullish(),
  is_local: z.boolean().nullish(),
  track: z.union([trackSchema, episodeSchema]).nullish(),
  /** The February 2026 `/items` endpoint names it `item`. */
  item: z.union([trackSchema, episodeSchema]).nullish(),
});
const savedTrackSchema = z.object({ added_at: z.string().nullish(), track: trackSchema });
const fullAlbumSchema = simpleAlbumSchema.extend({ external_ids: z.object({ upc: z.string().optional() }).nullish(), label: z.string().nullish() });
const savedAlbumSchema = z.object({ added_at: z.string().nullish(), album: fullAlbumSchema });
const playlistSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  public: z.boolean().nullish(),
  collaborative: z.boolean().nullish(),
  snapshot_id: z.string().nullish(),
  owner: z.object({ id: z.string(), display_name: z.string().nullish() }),
  tracks: z.object({ total: z.number().int().min(0) }).nullish(),
  items: z.object({ total: z.number().int().min(0) }).nullish(),
  external_urls: externalUrls,
  images,
});
const artistSchema = z.object({
  id: z.string(),
  name: z.string(),
  genres: z.array(z.string()).nullish(),
  popularity: z.number().nullish(),
  followers: z.object({ total: z.number().nullish() }).nullish(),
  external_urls: externalUrls,
  images,
});
const userSchema = z.object({
  id: z.string(),
  display_name: z.string().nullish(),
  email: z.string().nullish(),
  country: z.string().nullish(),
  product: z.string().nullish(),
  external_urls: externalUrls,
});

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next: z.string().nullable(),
    total: z.number().int().min(0),
    limit: z.number().int().optional(),
    offset: z.number().int().optional(),
  });
const cursorPageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next: z.string().nullable(),
    total: z.number().int().min(0).optional(),
    limit: z.number().int().optional(),
    cursors: z.object({ after: z.string().nullish() }).nullish(),
  });

// ---------------------------------------------------------------------------------------------
// Web API: plain rows
// ---------------------------------------------------------------------------------------------

export interface SpotifyArtistRef {
  id: string | null;
  name: string;
}

export interface SpotifyUser {
  id: string;
  displayName: string | null;
  email: string | null;
  country: string | null;
  product: string | null;
  externalUrl: string | null;
}

export interface SpotifyPlaylistRow {
  id: string;
  name: string;
  description: string | null;
  ownerId: string;
  ownerName: string | null;
  public: boolean | null;
  collaborative: boolean;
  snapshotId: string | null;
  trackCount: number;
  externalUrl: string | null;
  imageUrl: string | null;
}

export interface SpotifyTrackRow {
  /** null for a local file in a playlist. */
  id: string | null;
  uri: string | null;
  name: string;
  artists: SpotifyArtistRef[];
  album: { id: string | null; name: string; releaseDate: string | null } | null;
  durationMs: number;
  isrc: string | null;
  explicit: boolean;
  isLocal: boolean;
  externalUrl: string | null;
  addedAt: string | null;
}

export interface SpotifyAlbumRow {
  id: string | null;
  name: string;
  artists: SpotifyArtistRef[];
  albumType: string | null;
  totalTracks: number | null;
  releaseDate: string | null;
  releaseDatePrecision: string | null;
  upc: string | null;
  label: string | null;
  externalUrl: string | null;
  imageUrl: string | null;
  addedAt: string | null;
}

export interface SpotifyArtistRow {
  id: string;
  name: string;
  genres: string[];
  popularity: number | null;
  followers: number | null;
  externalUrl: string | null;
  imageUrl: string | null;
}

export interface SpotifyList<T> {
  items: T[];
  /** What Spotify says there are (for playlist tracks: entries, episodes and removed tracks included). */
  total: number;
  /** The safety cap stopped the paging early. */
  truncated: boolean;
}

const refs = (a: z.infer<typeof simpleArtistSchema>[]): SpotifyArtistRef[] => a.map((x) => ({ id: x.id, name: x.name }));
const urlOf = (e: z.infer<typeof externalUrls>): string | null => e?.spotify ?? null;
const imageOf = (i: z.infer<typeof images>): string | null => i?.[0]?.url ?? null;

function toTrack(t: z.infer<typeof trackSchema>, addedAt: string | null | undefined, isLocal?: boolean | null): SpotifyTrackRow {
  return {
    id: t.id,
    uri: t.uri ?? null,
    name: t.name,
    artists: refs(t.artists),
    album: t.album ? { id: t.album.id, name: t.album.name, releaseDate: t.album.release_date ?? null } : null,
    durationMs: t.duration_ms,
    isrc: t.external_ids?.isrc ?? null,
    explicit: t.explicit ?? false,
    isLocal: (isLocal ?? t.is_local) ?? false,
    externalUrl: urlOf(t.external_urls),
    addedAt: addedAt ?? null,
  };
}

function toAlbum(a: z.infer<typeof fullAlbumSchema>, addedAt: string | null | undefined): SpotifyAlbumRow {
  return {
    id: a.id,
    name: a.name,
    artists: refs(a.artists),
    albumType: a.album_type ?? null,
    totalTracks: a.total_tracks ?? null,
    releaseDate: a.release_date ?? null,
    releaseDatePrecision: a.release_date_precision ?? null,
    upc: a.external_ids?.upc ?? null,
    label: a.label ?? null,
    externalUrl: urlOf(a.external_urls),
    imageUrl: imageOf(a.images),
    addedAt: addedAt ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Web API client
// ---------------------------------------------------------------------------------------------

export interface SpotifyApiClientOptions {
  /** `https://api.spotify.com/v1` (a base without `/v1` gets it appended). */
  apiBaseUrl?: string;
  /** The current access token; called before every request (the Token Refresh daemon keeps it fresh). */
  accessToken: () => string | Promise<string>;
  /** Per request; default 15 000. */
  timeoutMs?: number;
  /** Tries for 429 and 5xx; default 3. */
  maxAttempts?: number;
  /** Pause after a 5xx or a 429 without Retry-After, doubled each try; default 1000. */
  backoffBaseMs?: number;
  /** A longer Retry-After is not waited for: rate_limited at once, for the daemon to back off; default 30 000. */
  maxRetryAfterMs?: number;
  /** Safety cap per list; default 10 000. */
  maxItems?: number;
  /** `tracks` (documented since the start) or `items` (the February 2026 replacement). */
  playlistItemsPath?: 'tracks' | 'items';
  /** Largest JSON body accepted; default 8 MiB. */
  maxResponseBytes?: number;
  dispatcher?: Dispatcher;
  sleep?: Sleep;
  /** Wall clock for HTTP-date Retry-After; default Date.now. */
  wallClock?: () => number;
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Stop after this many rows (default the client's maxItems). */
  maxItems?: number;
}

export class SpotifyApiClient {
  readonly #root: string;
  readonly #origin: string;
  readonly #o: Required<Omit<SpotifyApiClientOptions, 'apiBaseUrl' | 'dispatcher' | 'accessToken'>>;
  readonly #token: () => string | Promise<string>;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(o: SpotifyApiClientOptions) {
    const base = (o.apiBaseUrl ?? SPOTIFY_API_URL).replace(/\/+$/, '');
    this.#root = /\/v1$/.test(base) ? base : `${base}/v1`;
    this.#origin = new URL(this.#root).origin;
    this.#token = o.accessToken;
    this.#dispatcher = o.dispatcher;
    this.#o = {
      timeoutMs: o.timeoutMs ?? 15_000,
      maxAttempts: Math.max(1, o.maxAttempts ?? 3),
      backoffBaseMs: o.backoffBaseMs ?? 1000,
      maxRetryAfterMs: o.maxRetryAfterMs ?? 30_000,
      maxItems: o.maxItems ?? 10_000,
      playlistItemsPath: o.playlistItemsPath ?? 'tracks',
      maxResponseBytes: o.maxResponseBytes ?? 8 << 20,
      sleep: o.sleep ?? realSleep,
      wallClock: o.wallClock ?? Date.now,
    };
  }

  /** `GET /me`: the connected account. */
  async me(o: { signal?: AbortSignal } = {}): Promise<SpotifyUser> {
    const u = await this.#get(`${this.#root}/me`, userSchema, o.signal);
    return { id: u.id, displayName: u.display_name ?? null, email: u.email ?? null, country: u.country ?? null, product: u.product ?? null, externalUrl: urlOf(u.external_urls) };
  }

  /** `GET /me/playlists`, every page (own and followed playlists). */
  async playlists(o: ListOptions = {}): Promise<SpotifyList<SpotifyPlaylistRow>> {
    return this.#pages(`/me/playlists`, 50, playlistSchema, o, (p) => [
      {
        id: p.id,
        name: p.name,
        description: p.description || null,
        ownerId: p.owner.id,
        ownerName: p.owner.display_name ?? null,
        public: p.public ?? null,
        collaborative: p.collaborative ?? false,
        snapshotId: p.snapshot_id ?? null,
        trackCount: p.items?.total ?? p.tracks?.total ?? 0,
        externalUrl: urlOf(p.external_urls),
        imageUrl: imageOf(p.images),
      },
    ]);
  }

  /** `GET /playlists/{id}/tracks` (or `/items`), every page; removed tracks and episodes are skipped. */
  async playlistTracks(playlistId: string, o: ListOptions = {}): Promise<SpotifyList<SpotifyTrackRow>> {
    if (!/^[A-Za-z0-9]+$/.test(playlistId)) throw new SpotifyError('api', 'bad_request', `not a Spotify playlist id: "${playlistId}"`);
    const path = this.#o.playlistItemsPath;
    return this.#pages(`/playlists/${playlistId}/${path}`, path === 'items' ? 50 : 100, playlistEntrySchema, o, (e) => {
      const t = e.item ?? e.track;
      return t && t.type !== 'episode' ? [toTrack(t as z.infer<typeof trackSchema>, e.added_at, e.is_local)] : [];
    });
  }

  /** `GET /me/tracks` (liked songs), every page. */
  async likedTracks(o: ListOptions = {}): Promise<SpotifyList<SpotifyTrackRow>> {
    return this.#pages('/me/tracks', 50, savedTrackSchema, o, (s) => [toTrack(s.track, s.added_at)]);
  }

  /** `GET /me/albums` (saved albums), every page. */
  async savedAlbums(o: ListOptions = {}): Promise<SpotifyList<SpotifyAlbumRow>> {
    return this.#pages('/me/albums', 50, savedAlbumSchema, o, (s) => [toAlbum(s.album, s.added_at)]);
  }

  /** `GET /browse/new-releases`, every page (`country` an ISO 3166-1 alpha-2 code). */
  async newReleases(o: ListOptions & { country?: string } = {}): Promise<SpotifyList<SpotifyAlbumRow>> {
    const extra: Record<string, string> = o.country ? { country: o.country.toUpperCase() } : {};
    return this.#pages('/browse/new-releases', 50, fullAlbumSchema, o, (a) => [toAlbum(a, null)], 'albums', extra);
  }

  /** `GET /me/following?type=artist`: cursor paging (`after` = the last artist id), every page. */
  async followedArtists(o: ListOptions = {}): Promise<SpotifyList<SpotifyArtistRow>> {
    const cap = o.maxItems ?? this.#o.maxItems;
    const schema = z.object({ artists: cursorPageOf(artistSchema) });
    const items: SpotifyArtistRow[] = [];
    const seen = new Set<string>();
    let total = 0;
    let url: string | null = `${this.#root}/me/following?${new URLSearchParams({ type: 'artist', limit: '50' }).toString()}`;
    while (url) {
      if (seen.has(url)) throw new SpotifyError('api', 'malformed_response', `the cursor paging repeats ${url}`, 200);
      seen.add(url);
      const page: z.infer<typeof schema> = await this.#get(url, schema, o.signal);
      const a = page.artists;
      total = a.total ?? total;
      for (const x of a.items) {
        items.push({
          id: x.id,
          name: x.name,
          genres: x.genres ?? [],
          popularity: x.popularity ?? null,
          followers: x.followers?.total ?? null,
          externalUrl: urlOf(x.external_urls),
          imageUrl: imageOf(x.images),
        });
      }
      if (items.length >= cap && (a.next || a.cursors?.after)) return { items: items.slice(0, cap), total: Math.max(total, items.length), truncated: true };
      if (a.items.length === 0) break;
      url = a.next ? this.#sameOrigin(a.next) : null;
    }
    return { items, total: Math.max(total, items.length), truncated: false };
  }

  async #pages<S extends z.ZodType, R>(
    path: string,
    limit: number,
    itemSchema: S,
    o: ListOptions,
    map: (item: z.infer<S>) => R[],
    wrapper?: string,
    extra: Record<string, string> = {},
  ): Promise<SpotifyList<R>> {
    const cap = o.maxItems ?? this.#o.maxItems;
    const page = pageOf(itemSchema);
    const schema = wrapper ? z.object({ [wrapper]: page }) : page;
    const items: R[] = [];
    const seen = new Set<string>();
    let total = 0;
    let url: string | null = `${this.#root}${path}?${new URLSearchParams({ ...extra, limit: String(limit), offset: '0' }).toString()}`;
    while (url) {
      if (seen.has(url)) throw new SpotifyError('api', 'malformed_response', `the paging repeats ${url}`, 200);
      seen.add(url);
      const body = (await this.#get(url, schema, o.signal)) as Record<string, unknown>;
      const p = (wrapper ? body[wrapper] : body) as z.infer<typeof page>;
      total = p.total;
      for (const it of p.items) items.push(...map(it as z.infer<S>));
      if (items.length >= cap && p.next) return { items: items.slice(0, cap), total, truncated: true };
      if (p.items.length === 0) break;
      url = p.next ? this.#sameOrigin(p.next) : null;
    }
    return { items, total, truncated: false };
  }

  /** `next` must point at the API itself: the bearer token goes nowhere else. */
  #sameOrigin(next: string): string {
    let u: URL;
    try {
      u = new URL(next);
    } catch (err) {
      throw new SpotifyError('api', 'malformed_response', `a paging "next" that is not a URL: ${next.slice(0, 200)}`, 200, null, null, { cause: err });
    }
    if (u.origin !== this.#origin) throw new SpotifyError('api', 'malformed_response', `a paging "next" on another host (${u.origin}) is not followed`, 200);
    return u.toString();
  }

  async #get<S extends z.ZodType>(url: string, schema: S, signal: AbortSignal | undefined): Promise<z.infer<S>> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.#token();
      const res = await send(url, {
        service: 'api',
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        timeoutMs: this.#o.timeoutMs,
        maxBytes: this.#o.maxResponseBytes,
        dispatcher: this.#dispatcher,
        signal,
      });
      const s = res.status;
      if (s === 200) return parseJson('api', res.text, schema, url, s);
      const detail = apiMessageOf(res.text);
      const say = `HTTP ${s} for ${url.replace(this.#origin, '')}${detail ? `: ${detail}` : ''}`;
      if (s === 400) throw new SpotifyError('api', 'bad_request', say, s);
      if (s === 401) throw new SpotifyError('api', 'unauthorized', say, s);
      if (s === 403) throw new SpotifyError('api', 'forbidden', say, s);
      if (s === 404) throw new SpotifyError('api', 'not_found', say, s);
      if (s !== 429 && s < 500) throw new SpotifyError('api', 'http_error', say, s);
      const code: SpotifyErrorCode = s === 429 ? 'rate_limited' : 'server_error';
      const asked = s === 429 ? parseRetryAfter(res.headers['retry-after'], this.#o.wallClock()) : null;
      if (asked !== null && asked > this.#o.maxRetryAfterMs) {
        throw new SpotifyError('api', code, `${say} (Retry-After ${Math.ceil(asked / 1000)} s is longer than the client waits)`, s, asked);
      }
      if (attempt >= this.#o.maxAttempts) throw new SpotifyError('api', code, `${say} (after ${attempt} attempts)`, s, asked);
      const wait = asked ?? this.#o.backoffBaseMs * 2 ** (attempt - 1);
      await this.#o.sleep(wait, signal).catch((err: unknown) => {
        throw new SpotifyError('api', 'aborted', `request aborted: ${url}`, null, null, null, { cause: err });
      });
    }
  }
}
