import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type ActivityReport, type CycleContext, type DetailsBase } from './base.js';

interface Stats {
  artistsChecked: number;
  releasesQueued: number;
}

export interface WatchlistDetails extends DetailsBase {
  readonly kind: 'watchlist';
  readonly artistsChecked: number;
  readonly releasesQueued: number;
}

/** Artists looked at per cycle at most (MusicBrainz answers one request a second). */
const ARTISTS_PER_CYCLE = 50;

/**
 * Every hour: watches the artists followed on Spotify, looks at each watched artist on
 * MusicBrainz once an hour, and queues its albums and EPs released since the last look as one
 * SYNC_DOWNLOAD job (each release a wanted playlist of its tracks).
 */
export class WatchlistDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'watchlist',
    displayName: 'Watchlist',
    category: 'AUTOMATION',
    priority: 40,
    required: false,
    dependsOn: [],
    defaultEnabled: false,
    defaultIntervalSeconds: 3600,
  };

  protected initialStats(): Stats {
    return { artistsChecked: 0, releasesQueued: 0 };
  }

  async cycle(ctx: CycleContext): Promise<string | ActivityReport> {
    const auto = this.env.automation;
    const missing = auto?.missing() ?? ['ROADIE_MUSICBRAINZ_URL'];
    if (!auto || missing.length) return `Waiting for MusicBrainz to be configured (set ${missing.join(' and ')})`;
    await auto.watchFollowed();
    // an artist is looked at again once an interval has passed (a little less, so hourly cycles do not skip one)
    const before = new Date(Date.now() - ctx.intervalSeconds * 900);
    const due = await auto.due('watchlist', before, ARTISTS_PER_CYCLE);
    if (due.length === 0) return 'No watched artist is due; follow artists on Spotify or watch one in Automation';
    const playlists: number[] = [];
    const failures: string[] = [];
    for (const artist of due) {
      if (ctx.signal.aborted) break;
      ctx.report(`Looking for new releases of ${artist.name}`);
      try {
        playlists.push(...(await auto.newReleases(artist, ctx.signal)));
        await auto.looked('watchlist', artist.id, null);
      } catch (err) {
        if (ctx.signal.aborted) break;
        const message = err instanceof Error ? err.message : String(err);
        failures.push(message);
        await auto.looked('watchlist', artist.id, message);
      }
      this.stats.artistsChecked++;
    }
    const failed = failures.length ? `; ${failures.length} could not be checked (${failures[0]})` : '';
    if (playlists.length === 0) return `Looked at ${due.length} artist${due.length === 1 ? '' : 's'}: no new releases${failed}`;
    const jobId = await auto.queue(playlists, this.definition.key);
    this.stats.releasesQueued += playlists.length;
    return { message: `Queued ${playlists.length} new release${playlists.length === 1 ? '' : 's'} of ${due.length} artists${failed}`, jobId: String(jobId), jobType: 'sync_download' };
  }

  details(base: DetailsBase): WatchlistDetails {
    return { ...base, kind: 'watchlist', artistsChecked: this.stats.artistsChecked, releasesQueued: this.stats.releasesQueued };
  }
}
