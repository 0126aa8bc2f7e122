import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type CycleContext, type DetailsBase } from './base.js';

interface Stats {
  releasesCached: number;
}

export interface NewReleasesSyncDetails extends DetailsBase {
  readonly kind: 'new_releases_sync';
  readonly releasesCached: number;
}

/** Caches new releases from Spotify and Deezer. */
export class NewReleasesSyncDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'new_releases_sync',
    displayName: 'New Releases Sync',
    category: 'SYNC',
    priority: 70,
    required: false,
    dependsOn: ['token_refresh'],
    defaultEnabled: true,
    defaultIntervalSeconds: 30 * 60,
  };

  protected initialStats(): Stats {
    return { releasesCached: 0 };
  }

  /** Deezer's public new releases (no token needed); Spotify's arrive once Spotify is connected. */
  async cycle(ctx: CycleContext): Promise<string> {
    if (!this.env.releases || !this.env.services.isConfigured('deezer')) return 'Waiting for Spotify to be connected and Deezer to be configured';
    ctx.report('Fetching new releases from Deezer');
    const n = await this.env.releases.refreshDeezer(ctx.signal);
    if (n === null) return 'Waiting for Spotify to be connected and Deezer to be configured';
    this.stats.releasesCached = n;
    return `Cached ${n} new release${n === 1 ? '' : 's'} from Deezer; waiting for Spotify to be connected`;
  }

  details(base: DetailsBase): NewReleasesSyncDetails {
    return { ...base, kind: 'new_releases_sync', releasesCached: this.stats.releasesCached };
  }
}
