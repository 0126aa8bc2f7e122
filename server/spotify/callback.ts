import type { Logger } from 'pino';
import type { Route } from '../http/server.js';
import { SpotifyConnectError, type SpotifyConnection } from './connection.js';

/** Where the browser lands after the round trip: the SPA's settings page, told how it went. */
export function settingsUrl(outcome: { ok: true } | { ok: false; code: string; message: string }): string {
  const q = outcome.ok ? new URLSearchParams({ spotify: 'connected' }) : new URLSearchParams({ spotify: 'error', code: outcome.code, message: outcome.message });
  return `/?${q.toString()}#/settings`;
}

/**
 * GET /api/spotify/callback?code&state (or ?error&state): finishes the connect flow and sends
 * the browser back to the settings page (303), which says whether it worked and why not.
 */
export function spotifyCallbackRoute(connection: SpotifyConnection, logger: Logger): Route {
  return (req, res, url) => {
    const back = (location: string): void => {
      res.writeHead(303, { location, 'cache-control': 'no-store' }).end();
    };
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const q = url.searchParams;
    connection.complete({ code: q.get('code'), state: q.get('state'), error: q.get('error') }).then(
      () => back(settingsUrl({ ok: true })),
      (err: unknown) => {
        const known = err instanceof SpotifyConnectError;
        if (known) logger.info({ code: err.code, reason: err.message }, 'the Spotify connect flow did not finish');
        else logger.warn({ err }, 'the Spotify connect flow failed');
        back(settingsUrl({ ok: false, code: known ? err.code : 'exchange_failed', message: known ? err.message : 'Connecting Spotify failed.' }));
      },
    );
  };
}
