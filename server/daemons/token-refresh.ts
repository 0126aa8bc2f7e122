import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  tokensRefreshed: number;
}

export interface TokenRefreshDetails extends DetailsBase {
  readonly kind: 'token_refresh';
  readonly checkIntervalSeconds: number;
  readonly refreshThresholdMinutes: number;
  readonly tokensRefreshed: number;
  readonly connected: boolean;
}

/** Refreshes OAuth tokens that expire within the threshold. No account can be linked yet. */
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
  static readonly REFRESH_THRESHOLD_MINUTES = 10;

  protected initialStats(): Stats {
    return { tokensRefreshed: 0 };
  }

  async cycle(): Promise<string> {
    // The OAuth link to Spotify arrives with the integrations issue; until then no token exists.
    return 'Waiting for Spotify to be connected (no OAuth token stored)';
  }

  details(base: DetailsBase): TokenRefreshDetails {
    return {
      ...base,
      kind: 'token_refresh',
      checkIntervalSeconds: base.intervalSeconds,
      refreshThresholdMinutes: TokenRefreshDaemon.REFRESH_THRESHOLD_MINUTES,
      tokensRefreshed: this.stats.tokensRefreshed,
      connected: false,
    };
  }
}
