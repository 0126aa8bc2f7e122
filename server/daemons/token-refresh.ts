import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { REFRESH_WITHIN_MS } from '../domain/spotify/pkce.js';
import { Daemon, type CycleContext, type DetailsBase } from './base.js';

interface Stats {
  tokensRefreshed: number;
  /** Whether an account was linked at the last cycle. */
  connected: boolean;
}

export interface TokenRefreshDetails extends DetailsBase {
  readonly kind: 'token_refresh';
  readonly checkIntervalSeconds: number;
  readonly refreshThresholdMinutes: number;
  readonly tokensRefreshed: number;
  readonly connected: boolean;
}

/**
 * Every 300 s, refreshes the Spotify access token when it expires within 10 minutes. A refresh
 * token Spotify refuses (the user removed Roadie's access) fails the cycle: status ERROR, the
 * activity says to connect again, and the account shows REVOKED until it is.
 */
export class TokenRefreshDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'token_refresh',
    displayName: 'Token Refresh',
    category: 'CRITICAL',
    priority: 100,
    required: true,
    dependsOn: [],
    defaultEnabled: true,
    defaultIntervalSeconds: 300,
  };
  static readonly REFRESH_THRESHOLD_MINUTES = REFRESH_WITHIN_MS / 60_000;

  protected initialStats(): Stats {
    return { tokensRefreshed: 0, connected: false };
  }

  async cycle(ctx: CycleContext): Promise<string> {
    const spotify = this.env.spotify;
    const missing = spotify?.missing() ?? ['ROADIE_SPOTIFY_CLIENT_ID'];
    if (!spotify || missing.length) {
      this.stats.connected = false;
      return `Spotify is not configured (set ${missing.join(' and ')}); no token to refresh`;
    }
    ctx.report('Checking the Spotify access token');
    let r;
    try {
      r = await spotify.refreshIfDue(REFRESH_WITHIN_MS);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'revoked') {
        this.stats.connected = false;
        ctx.report('Spotify access was revoked: connect Spotify again in Settings');
      } else {
        ctx.report('Could not refresh the Spotify access token; trying again next cycle');
      }
      throw err;
    }
    this.stats.connected = r.outcome === 'fresh' || r.outcome === 'refreshed';
    switch (r.outcome) {
      case 'not_configured':
        return 'Spotify is not configured; no token to refresh';
      case 'not_connected':
        return 'Waiting for Spotify to be connected (Settings → Spotify)';
      case 'fresh':
        return `Spotify access token valid until ${r.expiresAt.toISOString()}`;
      case 'refreshed':
        this.stats.tokensRefreshed++;
        return `Refreshed the Spotify access token; valid until ${r.expiresAt.toISOString()}`;
    }
  }

  details(base: DetailsBase): TokenRefreshDetails {
    return {
      ...base,
      kind: 'token_refresh',
      checkIntervalSeconds: base.intervalSeconds,
      refreshThresholdMinutes: TokenRefreshDaemon.REFRESH_THRESHOLD_MINUTES,
      tokensRefreshed: this.stats.tokensRefreshed,
      connected: this.stats.connected,
    };
  }
}
