import type { Orchestrator } from '../daemons/orchestrator.js';
import type { WorkerView } from '../daemons/views.js';
import type { AutomationRepository, MissingAlbumView, WatchedArtistView } from '../db/repositories/automation.repository.js';

/** The seeds' combined Automation view: the three automation daemons and what they look after. */
export interface AutomationView {
  /** Any of the three running. */
  readonly running: boolean;
  readonly watchlistRunning: boolean;
  readonly discographyRunning: boolean;
  readonly qualityUpgradeRunning: boolean;
  readonly workers: readonly WorkerView[];
  readonly watchedArtists: number;
  readonly missingAlbums: number;
  /** What MusicBrainz-backed automation still needs (variable names). */
  readonly missing: readonly string[];
}

const AUTOMATION_DAEMONS = ['watchlist', 'discography', 'quality_upgrade'] as const;

export type WatchResult = { ok: true; artist: WatchedArtistView } | { ok: false; argument: 'name'; message: string };

/** What GraphQL uses of the automation: reads and the watch list's changes (the repository does the SQL). */
export class AutomationCenter {
  constructor(
    private readonly repo: AutomationRepository,
    private readonly orchestrator: Orchestrator,
    private readonly needs: () => readonly string[],
  ) {}

  async view(): Promise<AutomationView> {
    const workers = AUTOMATION_DAEMONS.map((k) => this.orchestrator.get(k)).filter((w): w is WorkerView => w !== null);
    const running = (k: string): boolean => workers.some((w) => w.name === k && w.state === 'RUNNING');
    const counts = await this.repo.counts();
    return {
      running: AUTOMATION_DAEMONS.some(running),
      watchlistRunning: running('watchlist'),
      discographyRunning: running('discography'),
      qualityUpgradeRunning: running('quality_upgrade'),
      workers,
      watchedArtists: counts.watched,
      missingAlbums: counts.missing,
      missing: this.needs(),
    };
  }

  watched(): Promise<WatchedArtistView[]> {
    return this.repo.artists();
  }

  missingAlbums(first: number): Promise<MissingAlbumView[]> {
    return this.repo.missingAlbums(Math.max(1, Math.min(first, 500)));
  }

  async watch(name: string): Promise<WatchResult> {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 500) return { ok: false, argument: 'name', message: 'an artist name is 1 to 500 characters' };
    const artist = await this.repo.watch(trimmed, 'manual');
    if (!artist) return { ok: false, argument: 'name', message: `${trimmed} is watched already` };
    return { ok: true, artist };
  }

  unwatch(id: number): Promise<boolean> {
    return this.repo.unwatch(id);
  }
}
