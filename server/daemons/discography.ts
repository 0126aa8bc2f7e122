import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  artistsChecked: number;
  albumsMissing: number;
}

export interface DiscographyDetails extends DetailsBase {
  readonly kind: 'discography';
  readonly artistsChecked: number;
  readonly albumsMissing: number;
}

/** Finds albums missing for followed artists (MusicBrainz). */
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

  async cycle(): Promise<string> {
    return this.env.services.isConfigured('musicbrainz')
      ? 'Waiting for followed artists: none yet'
      : 'Waiting for MusicBrainz to be configured';
  }

  details(base: DetailsBase): DiscographyDetails {
    return { ...base, kind: 'discography', artistsChecked: this.stats.artistsChecked, albumsMissing: this.stats.albumsMissing };
  }
}
