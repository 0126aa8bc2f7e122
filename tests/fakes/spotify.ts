/**
 * A fake Spotify (Accounts service + Web API on one node:http server, 127.0.0.1, port 0),
 * following the public documentation (developer.spotify.com):
 *
 * - `GET /authorize?client_id&response_type=code&redirect_uri&state&scope&code_challenge_method=S256&code_challenge`
 *   → 302 to `redirect_uri?code=…&state=…` (the user "approves" at once);
 * - `POST /api/token` (application/x-www-form-urlencoded, client_id in the body):
 *   authorization_code (the verifier is checked against the S256 challenge, the redirect URI
 *   against the one authorized) and refresh_token (rotating the refresh token unless
 *   `rotateRefreshTokens` is false); errors are OAuth bodies `{"error","error_description"}`
 *   — a revoked refresh token is 400 `invalid_grant` / "Refresh token revoked";
 * - `/v1/me`, `/v1/me/playlists`, `/v1/playlists/{id}/tracks|items`, `/v1/me/tracks`,
 *   `/v1/me/albums`, `/v1/browse/new-releases` (paging objects with absolute `next`), and
 *   `/v1/me/following?type=artist` (cursor paging, `after` = last artist id); limits above the
 *   documented maximum are 400; no / unknown / expired token → 401 with
 *   `{"error":{"status":401,"message":…}}`;
 * - `script`: answers for the next requests (any path), consumed one per request: a status
 *   (with or without Retry-After), malformed JSON, a wrong shape, a slow answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { FakeServer } from './fake-server.js';

export type ScriptedAnswer =
  | { status: number; retryAfter?: string; body?: string }
  | { malformed: true }
  | { wrongShape: true }
  | { delayMs: number };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  form: URLSearchParams | null;
}

export interface FakeTrack {
  id: string;
  name: string;
  artists: { id: string; name: string }[];
  album: { id: string; name: string; release_date: string };
  duration_ms: number;
  isrc: string;
}

export interface FakeAlbum {
  id: string;
  name: string;
  artists: { id: string; name: string }[];
  release_date: string;
  album_type: string;
  total_tracks: number;
  upc?: string;
}

export interface FakeArtist {
  id: string;
  name: string;
  genres: string[];
}

/** A playlist entry: a track, a removed track (null), an episode or a local file. */
export type FakeEntry = FakeTrack | null | { episode: string } | { local: string };

export interface FakePlaylist {
  id: string;
  name: string;
  ownerId: string;
  entries: FakeEntry[];
}

const ID = () => randomBytes(16).toString('hex').slice(0, 22);
let seq = 0;
export const spotifyId = (prefix = 'x'): string => `${prefix}${(++seq).toString(36).padStart(6, '0')}`.replace(/[^A-Za-z0-9]/g, '');

export class FakeSpotify extends FakeServer {
  readonly clientId = 'fake-client-id';
  readonly requests: RecordedRequest[] = [];
  script: ScriptedAnswer[] = [];
  rotateRefreshTokens = true;
  /** When set, paging `next` links point at this origin instead (a hostile or broken answer). */
  nextOrigin: string | null = null;
  /** Seconds an access token lives. */
  expiresIn = 3600;
  user = { id: 'roadie-user', display_name: 'Roadie User', email: 'user@example.test', country: 'DE', product: 'premium' };
  readonly playlists: FakePlaylist[] = [];
  readonly liked: { added_at: string; track: FakeTrack }[] = [];
  readonly savedAlbums: { added_at: string; album: FakeAlbum }[] = [];
  readonly followed: FakeArtist[] = [];
  readonly newReleases: FakeAlbum[] = [];
  readonly #codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  readonly #access = new Map<string, { expiresAt: number; scope: string }>();
  readonly #refresh = new Map<string, { scope: string; revoked: boolean }>();


  reset(): void {
    this.requests.length = 0;
    this.script = [];
    this.rotateRefreshTokens = true;
    this.nextOrigin = null;
  }

  /** Tokens as if a connect flow had happened. */
  issueTokens(scope = 'playlist-read-private user-library-read user-follow-read'): { accessToken: string; refreshToken: string } {
    const accessToken = `at-${ID()}`;
    const refreshToken = `rt-${ID()}`;
    this.#access.set(accessToken, { expiresAt: Date.now() + this.expiresIn * 1000, scope });
    this.#refresh.set(refreshToken, { scope, revoked: false });
    return { accessToken, refreshToken };
  }

  expire(accessToken: string): void {
    const t = this.#access.get(accessToken);
    if (t) t.expiresAt = Date.now() - 1;
  }

  /** The user removed the app's access (spotify.com/account/apps). */
  revoke(refreshToken: string): void {
    const t = this.#refresh.get(refreshToken);
    if (t) t.revoked = true;
  }

  /** The user removed the app's access: every refresh token issued so far stops working. */
  revokeAll(): void {
    for (const t of this.#refresh.values()) t.revoked = true;
  }

  isRefreshTokenValid(refreshToken: string): boolean {
    const t = this.#refresh.get(refreshToken);
    return !!t && !t.revoked;
  }

  track(name: string, artist = 'Artist', albumName = 'Album'): FakeTrack {
    const id = spotifyId('t');
    return { id, name, artists: [{ id: `ar${artist.replace(/\W/g, '')}`, name: artist }], album: { id: spotifyId('al'), name: albumName, release_date: '2020-02-02' }, duration_ms: 200_000 + seq, isrc: `DEX${String(seq).padStart(9, '0')}` };
  }

  album(name: string, artist = 'Artist'): FakeAlbum {
    return { id: spotifyId('al'), name, artists: [{ id: `ar${artist.replace(/\W/g, '')}`, name: artist }], release_date: '2025-01-10', album_type: 'album', total_tracks: 10, upc: `0000${seq}` };
  }

  addPlaylist(name: string, entries: FakeEntry[], ownerId = this.user.id): FakePlaylist {
    const p = { id: spotifyId('pl'), name, ownerId, entries };
    this.playlists.push(p);
    return p;
  }

  // ------------------------------------------------------------------------------------------

  protected override handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', this.url);
      const contentType = req.headers['content-type'];
      const raw = Buffer.concat(chunks).toString('utf8');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: u.pathname,
        query: u.searchParams,
        authorization: req.headers.authorization,
        contentType,
        form: contentType?.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(raw) : null,
      };
      this.requests.push(rec);
      const json = (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
      };
      const scripted = this.script.shift();
      if (scripted && 'status' in scripted) {
        const headers = scripted.retryAfter !== undefined ? { 'retry-after': scripted.retryAfter } : {};
        if (scripted.body !== undefined) {
          res.writeHead(scripted.status, { 'content-type': 'text/plain', ...headers }).end(scripted.body);
          return;
        }
        const message = scripted.status === 429 ? 'API rate limit exceeded' : (http.STATUS_CODES[scripted.status] ?? 'Error');
        return json(scripted.status, { error: { status: scripted.status, message } }, headers);
      }
      if (scripted && 'malformed' in scripted) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"items": [ {"id": "trunc');
        return;
      }
      const answer = (): void => {
        if (scripted && 'wrongShape' in scripted) return json(200, { items: 'not a list', total: 'many', access_token: 42 });
        this.#route(rec, u, res, json);
      };
      if (scripted && 'delayMs' in scripted) {
        const t = setTimeout(answer, scripted.delayMs);
        res.once('close', () => clearTimeout(t));
        return;
      }
      answer();
    });
  }

  #route(rec: RecordedRequest, u: URL, res: http.ServerResponse, json: (status: number, body: unknown, headers?: http.OutgoingHttpHeaders) => void): void {
    if (rec.method === 'GET' && u.pathname === '/authorize') return this.#authorize(u, res, json);
    if (u.pathname === '/api/token') {
      if (rec.method !== 'POST') return json(405, { error: 'invalid_request', error_description: 'Only POST is allowed' });
      return this.#tokenEndpoint(rec, json);
    }
    if (!u.pathname.startsWith('/v1/')) return json(404, { error: { status: 404, message: 'Service not found' } });

    const auth = /^Bearer (.+)$/.exec(rec.authorization ?? '');
    if (!auth) return json(401, { error: { status: 401, message: 'No token provided' } });
    const token = this.#access.get(auth[1]!);
    if (!token) return json(401, { error: { status: 401, message: 'Invalid access token' } });
    if (token.expiresAt <= Date.now()) return json(401, { error: { status: 401, message: 'The access token expired' } });

    const p = u.pathname.slice(3);
    const q = u.searchParams;
    if (p === '/me') return json(200, { ...this.user, type: 'user', uri: `spotify:user:${this.user.id}`, external_urls: { spotify: `https://open.spotify.com/user/${this.user.id}` } });
    if (p === '/me/playlists') {
      return this.#page(u, 50, this.playlists.map((pl) => this.#playlistObject(pl)), json);
    }
    const pm = /^\/playlists\/([A-Za-z0-9]+)\/(tracks|items)$/.exec(p);
    if (pm) {
      const pl = this.playlists.find((x) => x.id === pm[1]);
      if (!pl) return json(404, { error: { status: 404, message: 'Resource not found' } });
      const key = pm[2] === 'items' ? 'item' : 'track';
      return this.#page(u, pm[2] === 'items' ? 50 : 100, pl.entries.map((e) => this.#entryObject(e, key)), json);
    }
    if (p === '/me/tracks') return this.#page(u, 50, this.liked.map((s) => ({ added_at: s.added_at, track: this.#trackObject(s.track) })), json);
    if (p === '/me/albums') return this.#page(u, 50, this.savedAlbums.map((s) => ({ added_at: s.added_at, album: this.#albumObject(s.album) })), json);
    if (p === '/browse/new-releases') return this.#page(u, 50, this.newReleases.map((a) => this.#albumObject(a)), json, 'albums');
    if (p === '/me/following') {
      if (q.get('type') !== 'artist') return json(400, { error: { status: 400, message: 'Invalid type' } });
      const limit = Number(q.get('limit') ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) return json(400, { error: { status: 400, message: 'Invalid limit' } });
      const after = q.get('after');
      const start = after ? this.followed.findIndex((a) => a.id === after) + 1 : 0;
      const items = this.followed.slice(start, start + limit);
      const last = items.at(-1);
      const more = start + items.length < this.followed.length;
      const next = more && last ? `${this.url}/v1/me/following?type=artist&after=${last.id}&limit=${limit}` : null;
      return json(200, {
        artists: {
          href: u.toString(),
          limit,
          next,
          cursors: { after: more && last ? last.id : null },
          total: this.followed.length,
          items: items.map((a) => ({ id: a.id, name: a.name, genres: a.genres, popularity: 50, followers: { href: null, total: 1000 }, type: 'artist', uri: `spotify:artist:${a.id}`, images: [], external_urls: { spotify: `https://open.spotify.com/artist/${a.id}` } })),
        },
      });
    }
    return json(404, { error: { status: 404, message: 'Service not found' } });
  }

  #page(u: URL, max: number, all: unknown[], json: (status: number, body: unknown) => void, wrapper?: string): void {
    const q = u.searchParams;
    const limit = Number(q.get('limit') ?? 20);
    const offset = Number(q.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > max) return json(400, { error: { status: 400, message: 'Invalid limit' } });
    if (!Number.isInteger(offset) || offset < 0) return json(400, { error: { status: 400, message: 'Invalid offset' } });
    const link = (o: number): string => {
      const n = new URL(u.toString());
      if (this.nextOrigin) n.host = new URL(this.nextOrigin).host;
      n.searchParams.set('offset', String(o));
      n.searchParams.set('limit', String(limit));
      return n.toString();
    };
    const page = {
      href: link(offset),
      items: all.slice(offset, offset + limit),
      limit,
      next: offset + limit < all.length ? link(offset + limit) : null,
      offset,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      total: all.length,
    };
    json(200, wrapper ? { [wrapper]: page } : page);
  }

  #trackObject(t: FakeTrack): unknown {
    return {
      type: 'track',
      id: t.id,
      name: t.name,
      uri: `spotify:track:${t.id}`,
      duration_ms: t.duration_ms,
      explicit: false,
      is_local: false,
      artists: t.artists.map((a) => ({ ...a, type: 'artist', external_urls: { spotify: `https://open.spotify.com/artist/${a.id}` } })),
      album: { ...t.album, album_type: 'album', artists: t.artists, images: [{ url: `https://i.scdn.co/image/${t.album.id}`, width: 640, height: 640 }] },
      external_ids: { isrc: t.isrc },
      external_urls: { spotify: `https://open.spotify.com/track/${t.id}` },
    };
  }

  #albumObject(a: FakeAlbum): unknown {
    return {
      id: a.id,
      name: a.name,
      album_type: a.album_type,
      total_tracks: a.total_tracks,
      release_date: a.release_date,
      release_date_precision: 'day',
      artists: a.artists,
      external_urls: { spotify: `https://open.spotify.com/album/${a.id}` },
      ...(a.upc ? { external_ids: { upc: a.upc } } : {}),
      images: [{ url: `https://i.scdn.co/image/${a.id}`, width: 640, height: 640 }],
    };
  }

  #entryObject(e: FakeEntry, key: 'track' | 'item'): unknown {
    const added_at = '2024-05-01T10:00:00Z';
    if (e === null) return { added_at, is_local: false, [key]: null };
    if ('episode' in e) return { added_at, is_local: false, [key]: { type: 'episode', id: spotifyId('ep'), name: e.episode, duration_ms: 1000 } };
    if ('local' in e) return { added_at, is_local: true, [key]: { type: 'track', id: null, name: e.local, uri: `spotify:local:::${encodeURIComponent(e.local)}:180`, duration_ms: 180_000, is_local: true, artists: [{ id: null, name: 'Local' }], album: { id: null, name: 'Local', artists: [] } } };
    return { added_at, is_local: false, [key]: this.#trackObject(e) };
  }

  #playlistObject(pl: FakePlaylist): unknown {
    return {
      id: pl.id,
      name: pl.name,
      description: '',
      public: false,
      collaborative: false,
      snapshot_id: `snap-${pl.entries.length}`,
      owner: { id: pl.ownerId, display_name: pl.ownerId === this.user.id ? this.user.display_name : null },
      tracks: { href: `${this.url}/v1/playlists/${pl.id}/tracks`, total: pl.entries.length },
      external_urls: { spotify: `https://open.spotify.com/playlist/${pl.id}` },
      images: [],
    };
  }

  #authorize(u: URL, res: http.ServerResponse, json: (status: number, body: unknown) => void): void {
    const q = u.searchParams;
    const redirect = q.get('redirect_uri');
    if (q.get('client_id') !== this.clientId) return json(400, { error: 'invalid_client', error_description: 'Invalid client' });
    if (!redirect) return json(400, { error: 'invalid_request', error_description: 'Missing redirect_uri' });
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      return json(400, { error: 'invalid_request', error_description: 'code_challenge_method must be S256 with a code_challenge' });
    }
    const code = `code-${ID()}`;
    this.#codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: redirect, scope: q.get('scope') ?? '' });
    const to = new URL(redirect);
    to.searchParams.set('code', code);
    if (q.get('state')) to.searchParams.set('state', q.get('state')!);
    res.writeHead(302, { location: to.toString() }).end();
  }

  #tokenEndpoint(rec: RecordedRequest, json: (status: number, body: unknown) => void): void {
    const f = rec.form;
    if (!f) return json(400, { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' });
    if (f.get('client_id') !== this.clientId) return json(400, { error: 'invalid_client', error_description: 'Invalid client' });
    const grant = f.get('grant_type');
    if (grant === 'authorization_code') {
      const code = this.#codes.get(f.get('code') ?? '');
      if (!code) return json(400, { error: 'invalid_grant', error_description: 'Invalid authorization code' });
      if (code.redirectUri !== f.get('redirect_uri')) return json(400, { error: 'invalid_grant', error_description: 'Invalid redirect URI' });
      const verifier = f.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return json(400, { error: 'invalid_grant', error_description: 'code_verifier was incorrect' });
      this.#codes.delete(f.get('code')!);
      const t = this.issueTokens(code.scope);
      return json(200, { access_token: t.accessToken, token_type: 'Bearer', scope: code.scope, expires_in: this.expiresIn, refresh_token: t.refreshToken });
    }
    if (grant === 'refresh_token') {
      const old = f.get('refresh_token') ?? '';
      const r = this.#refresh.get(old);
      if (!r) return json(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      if (r.revoked) return json(400, { error: 'invalid_grant', error_description: 'Refresh token revoked' });
      const accessToken = `at-${ID()}`;
      this.#access.set(accessToken, { expiresAt: Date.now() + this.expiresIn * 1000, scope: r.scope });
      const body: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer', scope: r.scope, expires_in: this.expiresIn };
      if (this.rotateRefreshTokens) {
        const next = `rt-${ID()}`;
        this.#refresh.set(next, { scope: r.scope, revoked: false });
        r.revoked = true; // PKCE refresh tokens work once
        body.refresh_token = next;
      }
      return json(200, body);
    }
    return json(400, { error: 'unsupported_grant_type', error_description: `grant_type must be authorization_code or refresh_token` });
  }
}
