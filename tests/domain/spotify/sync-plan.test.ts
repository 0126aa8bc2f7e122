import { describe, expect, it } from 'vitest';
import { dueKinds, failed, hasErrors, initialSyncState, rateLimited, SYNC_EVERY_MS, synced, syncStateOf } from '../../../server/domain/spotify/sync-plan.js';

const MIN = 60_000;

describe('Spotify sync plan', () => {
  it('everything is due at first; then each kind on its own period (artists 5, playlists 10, liked 15, albums 30 min)', () => {
    let s = initialSyncState();
    expect(dueKinds(s, 0)).toEqual(['artists', 'playlists', 'likedSongs', 'savedAlbums']);
    for (const k of ['artists', 'playlists', 'likedSongs', 'savedAlbums'] as const) s = synced(s, k, 0);
    expect(dueKinds(s, 4 * MIN)).toEqual([]);
    expect(dueKinds(s, 5 * MIN)).toEqual(['artists']);
    expect(dueKinds(s, 10 * MIN)).toEqual(['artists', 'playlists']);
    expect(dueKinds(s, 15 * MIN)).toEqual(['artists', 'playlists', 'likedSongs']);
    expect(dueKinds(s, 30 * MIN)).toEqual(['artists', 'playlists', 'likedSongs', 'savedAlbums']);
    expect(SYNC_EVERY_MS.artists).toBe(5 * MIN);
  });

  it('a failure keeps the last sync time, records the error and waits for the next period', () => {
    let s = synced(initialSyncState(), 'playlists', 0);
    s = failed(s, 'playlists', 10 * MIN, 'HTTP 502');
    expect(s.kinds.playlists).toEqual({ lastSyncAt: 0, lastTriedAt: 10 * MIN, lastError: 'HTTP 502' });
    expect(hasErrors(s)).toBe(true);
    expect(dueKinds(s, 19 * MIN)).not.toContain('playlists');
    expect(dueKinds(s, 20 * MIN)).toContain('playlists');
    s = synced(s, 'playlists', 20 * MIN);
    expect(s.kinds.playlists.lastError).toBeNull();
  });

  it('a 429 with Retry-After pauses every kind for exactly that long; the limited kind goes first after', () => {
    let s = synced(initialSyncState(), 'artists', 0);
    s = rateLimited(s, 'playlists', 1000, 42_000);
    expect(s.backoffUntil).toBe(43_000);
    expect(dueKinds(s, 42_999)).toEqual([]);
    expect(dueKinds(s, 43_000)).toContain('playlists');
    expect(s.kinds.playlists.lastError).toMatch(/waiting 42 s as Retry-After asked/);
  });

  it('a 429 without Retry-After: 5 min, then 10, 20, 40, capped at 60; a success resets the streak', () => {
    let s = initialSyncState();
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) {
      s = rateLimited(s, 'artists', 0, null);
      pauses.push((s.backoffUntil as number) / MIN);
    }
    expect(pauses).toEqual([5, 10, 20, 40, 60, 60]);
    s = synced(s, 'artists', 0);
    expect(s.backoffMs).toBeNull();
    expect(rateLimited(s, 'artists', 0, null).backoffUntil).toBe(5 * MIN);
  });

  it('reads a stored state back, with defaults for what is missing or malformed', () => {
    const s = synced(initialSyncState(), 'likedSongs', 123);
    expect(syncStateOf(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(syncStateOf(null)).toEqual(initialSyncState());
    expect(syncStateOf({ kinds: { artists: { lastSyncAt: 'yesterday' } }, backoffUntil: 'x' })).toEqual(initialSyncState());
  });
});
