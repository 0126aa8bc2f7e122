import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  BACKOFF_429_BASE_MS,
  BACKOFF_429_CAP_MS,
  challengeOf,
  makeState,
  makeVerifier,
  needsRefresh,
  nextDelayAfter429,
  ROADIE_SPOTIFY_SCOPES,
  VERIFIER_PATTERN,
} from '../../../server/domain/spotify/pkce.js';

describe('PKCE', () => {
  it('makes verifiers inside the 43–128 character rule, different each time', () => {
    const a = makeVerifier();
    const b = makeVerifier();
    expect(a).toMatch(VERIFIER_PATTERN);
    expect(a).toHaveLength(86);
    expect(a).not.toBe(b);
    expect(makeVerifier(32)).toHaveLength(43);
    expect(() => makeVerifier(16)).toThrow(RangeError);
    expect(makeState()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    expect(challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(() => challengeOf('too-short')).toThrow(TypeError);
  });

  it('builds the /authorize URL with every documented parameter', () => {
    const url = new URL(
      authorizeUrl({
        accountsBaseUrl: 'https://accounts.spotify.com/',
        clientId: 'abc123',
        redirectUri: 'http://127.0.0.1:8080/api/spotify/callback',
        scopes: ROADIE_SPOTIFY_SCOPES,
        state: 'st4te',
        challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://accounts.spotify.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'abc123',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:8080/api/spotify/callback',
      state: 'st4te',
      scope: ROADIE_SPOTIFY_SCOPES.join(' '),
      code_challenge_method: 'S256',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    });
    expect(url.search).toContain('scope=user-read-private+user-read-email'); // space-separated
  });

  it('keeps a path prefix of the accounts base URL and refuses missing pieces', () => {
    const base = { clientId: 'c', redirectUri: 'http://127.0.0.1/cb', scopes: [], state: 's', challenge: 'x' };
    expect(authorizeUrl({ ...base, accountsBaseUrl: 'http://127.0.0.1:9/fake', showDialog: true })).toMatch(/^http:\/\/127\.0\.0\.1:9\/fake\/authorize\?.*show_dialog=true/);
    expect(() => authorizeUrl({ ...base, accountsBaseUrl: 'http://x', clientId: ' ' })).toThrow(/client id/);
    expect(() => authorizeUrl({ ...base, accountsBaseUrl: 'http://x', redirectUri: '/cb' })).toThrow();
  });
});

describe('needsRefresh', () => {
  const now = Date.UTC(2025, 0, 1, 12);
  it('refreshes tokens expiring within 10 minutes, expired or unknown', () => {
    expect(needsRefresh(now + 11 * 60_000, now)).toBe(false);
    expect(needsRefresh(now + 10 * 60_000, now)).toBe(true);
    expect(needsRefresh(now + 60_000, now)).toBe(true);
    expect(needsRefresh(now - 1, now)).toBe(true);
    expect(needsRefresh(null, now)).toBe(true);
    expect(needsRefresh(new Date(Number.NaN), now)).toBe(true);
    expect(needsRefresh(new Date(now + 30 * 60_000), new Date(now))).toBe(false);
    expect(needsRefresh(now + 30 * 60_000, now, 31 * 60_000)).toBe(true);
  });
});

describe('backoff after 429', () => {
  const wallNow = Date.UTC(2025, 0, 1, 12);
  it('honours Retry-After seconds and HTTP dates', () => {
    expect(nextDelayAfter429('7', null)).toBe(7000);
    expect(nextDelayAfter429('0', 600_000)).toBe(0);
    expect(nextDelayAfter429(new Date(wallNow + 90_000).toUTCString(), null, { wallNow })).toBe(90_000);
    expect(nextDelayAfter429(new Date(wallNow - 90_000).toUTCString(), null, { wallNow })).toBe(0);
  });

  it('doubles from 5 minutes up to 1 hour without (or with an unreadable) Retry-After', () => {
    const seq: number[] = [];
    let d: number | null = null;
    for (let i = 0; i < 7; i++) seq.push((d = nextDelayAfter429(i === 3 ? 'soon' : undefined, d)));
    expect(seq).toEqual([5, 10, 20, 40, 60, 60, 60].map((m) => m * 60_000));
    expect(BACKOFF_429_BASE_MS).toBe(300_000);
    expect(BACKOFF_429_CAP_MS).toBe(3_600_000);
    expect(nextDelayAfter429(null, 1000)).toBe(BACKOFF_429_BASE_MS); // never below the base
    expect(nextDelayAfter429(null, null, { baseMs: 10, capMs: 15 })).toBe(10);
  });
});
