import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type CycleContext, type DetailsBase } from './base.js';

interface Stats {
  artistsChecked: number;
  albumsMissing: number;
}

export interface DiscographyDetails extends DetailsBase {
  readonly kind: 'discography';
  readonly artistsChecked: number;
  readonly albumsMissing: number;
}

/** Artists looked at per cycle at most (MusicBrainz answers one request a second). */
const ARTISTS_PER_CYCLE = 100;

/**
 * Every 24 h: for each watched artist (the followed ones included), the albums and EPs on
 * MusicBrainz (without compilations, live and remix releases) that the library has no song of,
 * kept as the missing-albums list the Automation view shows.
 */
export class DiscographyDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'discography',
    displayName: 'Discography',
    category: 'AUTOMATION',
    priority: 35,
    required: false,
    dependsOn: [],
    defaultEnabled: false,
    defaultIntervalSeconds: 24 * 3600,
  };

  protected initialStats(): Stats {
    return { artistsChecked: 0, albumsMissing: 0 };
  }

  async cycle(ctx: CycleContext): Promise<string> {
    const auto = this.env.automation;
    const missing = auto?.missing() ?? ['ROADIE_MUSICBRAINZ_URL'];
    if (!auto || missing.length) return `Waiting for MusicBrainz to be configured (set ${missing.join(' and ')})`;
    await auto.watchFollowed();
    const due = await auto.due('discography', new Date(Date.now() - ctx.intervalSeconds * 900), ARTISTS_PER_CYCLE);
    if (due.length === 0) return 'No watched artist is due; follow artists on Spotify or watch one in Automation';
    let found = 0;
    let failures = 0;
    for (const artist of due) {
      if (ctx.signal.aborted) break;
      ctx.report(`Comparing the discography of ${artist.name} with the library`);
      try {
        found += await auto.discography(artist, ctx.signal);
        await auto.looked('discography', artist.id, null);
      } catch (err) {
        if (ctx.signal.aborted) break;
        failures++;
        await auto.looked('discography', artist.id, err instanceof Error ? err.message : String(err));
      }
      this.stats.artistsChecked++;
    }
    this.stats.albumsMissing = await auto.missingCount();
    const failed = failures ? `; ${failures} could not be checked` : '';
    return `${found} album${found === 1 ? '' : 's'} missing for ${due.length} artist${due.length === 1 ? '' : 's'} looked at (${this.stats.albumsMissing} in all)${failed}`;
  }

  details(base: DetailsBase): DiscographyDetails {
    return { ...base, kind: 'discography', artistsChecked: this.stats.artistsChecked, albumsMissing: this.stats.albumsMissing };
  }
}
