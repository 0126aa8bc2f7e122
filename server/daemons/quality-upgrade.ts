import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  tracksChecked: number;
  upgradesFound: number;
}

export interface QualityUpgradeDetails extends DetailsBase {
  readonly kind: 'quality_upgrade';
  readonly tracksChecked: number;
  readonly upgradesFound: number;
}

/** Finds better-quality versions of library tracks. */
export class QualityUpgradeDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'quality_upgrade',
    displayName: 'Quality Upgrade',
    category: 'AUTOMATION',
    priority: 30,
    required: false,
    dependsOn: [],
    defaultEnabled: false,
    defaultIntervalSeconds: 24 * 3600,
  };

  protected initialStats(): Stats {
    return { tracksChecked: 0, upgradesFound: 0 };
  }

  async cycle(): Promise<string> {
    return this.env.services.isConfigured('slskd')
      ? 'Waiting for the download integration to search for upgrades'
      : 'Waiting for slskd to be configured';
  }

  details(base: DetailsBase): QualityUpgradeDetails {
    return { ...base, kind: 'quality_upgrade', tracksChecked: this.stats.tracksChecked, upgradesFound: this.stats.upgradesFound };
  }
}
