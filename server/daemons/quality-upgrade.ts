import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type CycleContext, type DetailsBase } from './base.js';

interface Stats {
  tracksChecked: number;
  upgradesFound: number;
}

export interface QualityUpgradeDetails extends DetailsBase {
  readonly kind: 'quality_upgrade';
  readonly tracksChecked: number;
  readonly upgradesFound: number;
  /** Lossy files below this bit rate are searched for a better version. */
  readonly minBitrateKbps: number;
}

/** Files searched per cycle at most (each search and transfer takes a while). */
const FILES_PER_CYCLE = 20;

/**
 * Every 24 h: library files of a lossy format below the configured bit rate (ROADIE_QUALITY_MIN_KBPS,
 * e.g. MP3 < 256 kbps) get a search through slskd; a better file replaces the old one only after
 * it was read and verified (server/library/quality-upgrade.ts). A file with nothing better is
 * searched again after 30 days.
 */
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

  async cycle(ctx: CycleContext): Promise<string> {
    const q = this.env.qualityUpgrade;
    const missing = q?.missing() ?? ['ROADIE_SLSKD_URL'];
    if (!q || missing.length) return `Waiting for slskd to be configured (set ${missing.join(', ')})`;
    const files = await q.candidates(FILES_PER_CYCLE);
    if (files.length === 0) return `No library file below ${q.minKbps} kbps is due for a search`;
    let upgraded = 0;
    let rejected = 0;
    for (const f of files) {
      if (ctx.signal.aborted) break;
      ctx.report(`Looking for a better file of ${f.artist ?? '?'} – ${f.title ?? f.relativePath} (${f.container} ${f.bitrateKbps ?? '?'} kbps)`);
      const r = await q.upgrade(f, ctx.signal);
      this.stats.tracksChecked++;
      if (r.kind === 'upgraded') {
        upgraded++;
        this.stats.upgradesFound++;
        ctx.log.info({ file: f.relativePath, from: r.from, to: r.to }, 'library file upgraded');
      } else if (r.kind === 'rejected') {
        rejected++;
        ctx.log.warn({ file: f.relativePath, reason: r.reason }, 'upgrade refused');
      }
    }
    return `Upgraded ${upgraded} of ${files.length} file${files.length === 1 ? '' : 's'} below ${q.minKbps} kbps${rejected ? `; ${rejected} found file${rejected === 1 ? '' : 's'} refused after checking` : ''}`;
  }

  details(base: DetailsBase): QualityUpgradeDetails {
    return {
      ...base,
      kind: 'quality_upgrade',
      tracksChecked: this.stats.tracksChecked,
      upgradesFound: this.stats.upgradesFound,
      minBitrateKbps: this.env.qualityUpgrade?.minKbps ?? 256,
    };
  }
}
