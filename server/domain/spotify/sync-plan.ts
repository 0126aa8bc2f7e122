/**
 * The Spotify Sync daemon's schedule, as pure rules: what is due, and how each outcome changes
 * the state. The daemon checks every 60 s; each kind has its own period, and a 429 pauses every
 * kind (Spotify's rate limit is per app): for Retry-After's time when Spotify says it, else
 * doubling from 5 minutes, capped at an hour.
 */
import { BACKOFF_429_BASE_MS, BACKOFF_429_CAP_MS } from './pkce.js';

export const SYNC_KINDS = ['artists', 'playlists', 'likedSongs', 'savedAlbums'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

/** How often each kind is read from Spotify. */
export const SYNC_EVERY_MS: Readonly<Record<SyncKind, number>> = {
  artists: 5 * 60_000,
  playlists: 10 * 60_000,
  likedSongs: 15 * 60_000,
  savedAlbums: 30 * 60_000,
};

export interface SyncKindState {
  /** Wall-clock ms of the last successful sync. */
  readonly lastSyncAt: number | null;
  /** The last attempt, successful or not: the period counts from it. */
  readonly lastTriedAt: number | null;
  readonly lastError: string | null;
}

export interface SyncState {
  readonly kinds: Readonly<Record<SyncKind, SyncKindState>>;
  /** No request to Spotify before this (after a 429). */
  readonly backoffUntil: number | null;
  /** The last pause, for doubling; null once a sync succeeds. */
  readonly backoffMs: number | null;
}

const NEVER: SyncKindState = { lastSyncAt: null, lastTriedAt: null, lastError: null };

export function initialSyncState(): SyncState {
  return { kinds: { artists: NEVER, playlists: NEVER, likedSongs: NEVER, savedAlbums: NEVER }, backoffUntil: null, backoffMs: null };
}

/** A state read back from storage, with defaults for anything missing or malformed. */
export function syncStateOf(stored: unknown): SyncState {
  const s = (stored ?? {}) as Partial<SyncState>;
  const init = initialSyncState();
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const kinds = Object.fromEntries(
    SYNC_KINDS.map((k) => {
      const x = (s.kinds?.[k] ?? {}) as Partial<SyncKindState>;
      return [k, { lastSyncAt: num(x.lastSyncAt), lastTriedAt: num(x.lastTriedAt), lastError: typeof x.lastError === 'string' ? x.lastError : null }];
    }),
  ) as Record<SyncKind, SyncKindState>;
  return { ...init, kinds, backoffUntil: num(s.backoffUntil), backoffMs: num(s.backoffMs) };
}

/** The kinds to sync now, in table order: none while backing off; otherwise those never tried or whose period has passed. */
export function dueKinds(s: SyncState, now: number): SyncKind[] {
  if (s.backoffUntil !== null && now < s.backoffUntil) return [];
  return SYNC_KINDS.filter((k) => {
    const t = s.kinds[k].lastTriedAt;
    return t === null || now - t >= SYNC_EVERY_MS[k];
  });
}

const withKind = (s: SyncState, kind: SyncKind, k: SyncKindState): SyncState => ({ ...s, kinds: { ...s.kinds, [kind]: k } });

export function synced(s: SyncState, kind: SyncKind, now: number): SyncState {
  return { ...withKind(s, kind, { lastSyncAt: now, lastTriedAt: now, lastError: null }), backoffUntil: null, backoffMs: null };
}

/** Any failure but a 429: the kind waits for its next period. */
export function failed(s: SyncState, kind: SyncKind, now: number, message: string): SyncState {
  return withKind(s, kind, { ...s.kinds[kind], lastTriedAt: now, lastError: message });
}

/**
 * A 429: every kind waits `retryAfterMs` when Spotify said so, else 5 min, then double the last
 * pause (at most 1 h). The kind is not counted as tried, so it goes first once the pause is over.
 */
export function rateLimited(s: SyncState, kind: SyncKind, now: number, retryAfterMs: number | null): SyncState {
  const delay = retryAfterMs !== null ? Math.max(0, retryAfterMs) : s.backoffMs ? Math.min(BACKOFF_429_CAP_MS, s.backoffMs * 2) : BACKOFF_429_BASE_MS;
  const message = `Spotify rate limit (HTTP 429): waiting ${Math.ceil(delay / 1000)} s${retryAfterMs !== null ? ' as Retry-After asked' : ''}`;
  return { ...withKind(s, kind, { ...s.kinds[kind], lastError: message }), backoffUntil: now + delay, backoffMs: delay };
}

export function hasErrors(s: SyncState): boolean {
  return SYNC_KINDS.some((k) => s.kinds[k].lastError !== null);
}
