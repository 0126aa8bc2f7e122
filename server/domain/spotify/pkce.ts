/**
 * Spotify Authorization Code with PKCE (RFC 7636, developer.spotify.com "Authorization Code with
 * PKCE Flow") and the pure token rules the Token Refresh and Spotify Sync daemons apply.
 *
 * - the code verifier is 43–128 characters of [A-Za-z0-9-._~]; here 64 random bytes, base64url;
 * - the code challenge is base64url(SHA-256(verifier)) without padding, method `S256`;
 * - `/authorize` takes client_id, response_type=code, redirect_uri, state, scope (space separated),
 *   code_challenge_method=S256 and code_challenge.
 *
 * Everything here is pure except the random bytes and the hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseRetryAfter } from '../http/retry-after.js';

/** The scopes Roadie's sync needs: playlists (own and collaborative), liked songs, saved albums, followed artists, profile. */
export const ROADIE_SPOTIFY_SCOPES = [
  'user-read-private',
  'user-read-email',
  'playlist-read-private',
  'playlist-read-collaborative',
  'user-library-read',
  'user-follow-read',
] as const;

export const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** A fresh code verifier: 64 random bytes as base64url (86 characters, inside the 43–128 rule). */
export function makeVerifier(bytes = 64): string {
  const v = randomBytes(bytes).toString('base64url');
  if (!VERIFIER_PATTERN.test(v)) throw new RangeError(`a verifier of ${bytes} bytes is outside the 43–128 character rule`);
  return v;
}

/** An opaque `state` for the authorize round trip (CSRF protection). */
export function makeState(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** The S256 code challenge: base64url(SHA-256(ASCII(verifier))), no padding. */
export function challengeOf(verifier: string): string {
  if (!VERIFIER_PATTERN.test(verifier)) throw new TypeError('a code verifier is 43–128 characters of A-Z a-z 0-9 - . _ ~');
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export interface AuthorizeUrlInput {
  /** `https://accounts.spotify.com` (or a fake's URL). */
  accountsBaseUrl: string;
  clientId: string;
  /** Must match one registered for the app exactly (Roadie's own `/api/spotify/callback`). */
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  challenge: string;
  /** Ask the user to approve again even if they did before. */
  showDialog?: boolean;
}

/** The accounts-service URL the browser is sent to. */
export function authorizeUrl(i: AuthorizeUrlInput): string {
  if (!i.clientId.trim()) throw new TypeError('a Spotify client id is required');
  if (!i.state) throw new TypeError('a state is required');
  const redirect = new URL(i.redirectUri); // throws for a relative or broken URI
  const u = new URL('authorize', i.accountsBaseUrl.replace(/\/*$/, '/'));
  u.search = new URLSearchParams({
    client_id: i.clientId,
    response_type: 'code',
    redirect_uri: redirect.toString(),
    state: i.state,
    scope: i.scopes.join(' '),
    code_challenge_method: 'S256',
    code_challenge: i.challenge,
    ...(i.showDialog ? { show_dialog: 'true' } : {}),
  }).toString();
  return u.toString();
}

/** Ten minutes: the Token Refresh daemon's threshold (SPEC §1, refresh_threshold_minutes). */
export const REFRESH_WITHIN_MS = 10 * 60_000;

/**
 * Whether a token expiring at `expiresAt` should be refreshed now: when unknown, already
 * expired, or expiring within `withinMs`.
 */
export function needsRefresh(expiresAt: Date | number | null | undefined, now: Date | number, withinMs = REFRESH_WITHIN_MS): boolean {
  if (expiresAt == null) return true;
  const at = typeof expiresAt === 'number' ? expiresAt : expiresAt.getTime();
  const n = typeof now === 'number' ? now : now.getTime();
  if (Number.isNaN(at)) return true;
  return at - n <= withinMs;
}

/** Without Retry-After the first pause is 5 minutes, doubled each time, capped at 1 hour. */
export const BACKOFF_429_BASE_MS = 5 * 60_000;
export const BACKOFF_429_CAP_MS = 60 * 60_000;

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** Wall clock for an HTTP-date Retry-After; default Date.now(). */
  wallNow?: number;
}

/**
 * How long to wait after a 429: what Retry-After says when the server said it, else doubling
 * from 5 min (`previousDelayMs` null or 0 = the first 429 of a streak), capped at 1 h.
 */
export function nextDelayAfter429(retryAfterHeader: string | string[] | null | undefined, previousDelayMs: number | null | undefined, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? BACKOFF_429_BASE_MS;
  const cap = o.capMs ?? BACKOFF_429_CAP_MS;
  const asked = parseRetryAfter(retryAfterHeader, o.wallNow ?? Date.now());
  if (asked !== null) return asked;
  if (!previousDelayMs || previousDelayMs <= 0) return Math.min(base, cap);
  return Math.min(cap, Math.max(base, previousDelayMs * 2));
}
