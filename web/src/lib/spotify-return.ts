// The server's Spotify callback sends the browser back to `/?spotify=connected#/settings`, or
// `/?spotify=error&code=<code>&message=<text>#/settings`; this reads that query string.

/** How the connect round trip ended, as the callback put it in the address. */
export type SpotifyReturn = { ok: true } | { ok: false; code: string; message: string | null };

/** The outcome in a `location.search`, or null when the address is no return from Spotify. */
export function parseSpotifyReturn(search: string): SpotifyReturn | null {
  const params = new URLSearchParams(search);
  const outcome = params.get('spotify');
  if (outcome === 'connected') return { ok: true };
  if (outcome !== 'error') return null;
  const message = params.get('message')?.trim();
  return { ok: false, code: params.get('code') ?? 'unknown', message: message || null };
}
