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

  /** Deezer's public new releases (no token needed) and, with an account linked, Spotify's; each source's list replaced whole. */
  async cycle(ctx: CycleContext): Promise<string> {
    const releases = this.env.releases;
    if (!releases) return 'Waiting for Spotify to be connected or Deezer to be configured';
    const got: string[] = [];
    const waiting: string[] = [];
    const failures: string[] = [];
    let total = 0;
    const source = async (name: string, refresh: ((signal: AbortSignal) => Promise<number | null>) | undefined, notReady: string): Promise<void> => {
      if (!refresh) return void waiting.push(notReady);
      ctx.report(`Fetching new releases from ${name}`);
      try {
        const n = await refresh(ctx.signal);
        if (n === null) waiting.push(notReady);
        else {
          total += n;
          got.push(`${n} from ${name}`);
        }
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await source('Deezer', this.env.services.isConfigured('deezer') ? (s) => releases.refreshDeezer(s) : undefined, 'Deezer to be configured');
    await source('Spotify', releases.refreshSpotify ? (s) => releases.refreshSpotify!(s) : undefined, 'Spotify to be connected');
    if (failures.length) throw new Error(`New releases could not be fetched from ${failures.join('; ')}`);
    if (got.length === 0) return `Waiting for ${waiting.join(' or ')}`;
    this.stats.releasesCached = total;
    const wait = waiting.length ? `; waiting for ${waiting.join(' and ')}` : '';
    return `Cached ${total} new release${total === 1 ? '' : 's'} (${got.join(', ')})${wait}`;
  }

  details(base: DetailsBase): NewReleasesSyncDetails {
    return { ...base, kind: 'new_releases_sync', releasesCached: this.stats.releasesCached };
  }
}
