import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import type { ServiceMonitor } from '../services/service-monitor.js';
import type { DaemonDetails } from './details.js';
import type { PostProcessEvent } from '../library/post-processor.js';
import type { RefreshOutcome } from '../spotify/connection.js';
import type { SpotifySyncPort } from '../spotify/library.js';
import type { AutomationPort } from '../automation/service.js';
import type { QualityUpgradePort } from '../library/quality-upgrade.js';

/** The task center as the download daemons use it. */
export interface JobsPort {
  /** A dispatch round of the lane supervisor; how many jobs were started since the last sweep. */
  sweep(): Promise<number>;
  summary(): Promise<{ running: number; queued: number; runningJobs: readonly { id: number; lane: string; jobType: string }[] }>;
  reclaimStale(olderThanMs: number): Promise<number>;
  retryDue(): Promise<{ jobs: number; items: number }>;
  /** Retention: removes finished jobs older than this (REMOVED events follow); how many went. */
  pruneFinished(olderThanMs: number): Promise<number>;
  /** How many finished jobs pruneFinished would remove now (cleanup's dry run). */
  countFinished(olderThanMs: number): Promise<number>;
  /** Download items that ended, over the jobs kept. */
  downloadTotals(): Promise<{ succeeded: number; failed: number }>;
}

/** The Soulseek transfers the Download Monitor follows (server/downloads/soulseek-monitor.ts). */
export interface SoulseekPort {
  /** Asks slskd about every open transfer and stores what it says; a summary for the activity (null while slskd is not the download backend). */
  poll(signal: AbortSignal): Promise<{ open: number; queued: number; inProgress: number; bytesPerSecond: number; ended: number } | null>;
}

/** Post-processing as its daemon follows it (files are filed by the download stage through it). */
export interface LibraryPort {
  /** Hears every filed or refused download; returns the unsubscribe. */
  onFiled(fn: (e: PostProcessEvent) => void): () => void;
  /**
   * Queues one sync-then-download job for the wanted playlists, unless there are none or such a
   * job of this daemon is still queued or running; says what it did.
   */
  syncWanted(requestedBy: string): Promise<{ jobId: number; playlists: number } | { skipped: 'none wanted' | 'already queued' }>;
}

/** New releases as the New Releases Sync daemon refreshes them. */
export interface ReleasesPort {
  /** Fetches Deezer's new releases into the cache; null when Deezer is not configured. */
  refreshDeezer(signal: AbortSignal): Promise<number | null>;
  /** Fetches Spotify's new releases into the cache; null when no Spotify account is linked. */
  refreshSpotify?(signal: AbortSignal): Promise<number | null>;
}

/** What every daemon may use; handed in by app.ts. */
export interface DaemonEnv {
  readonly config: Config;
  readonly logger: Logger;
  readonly services: Pick<ServiceMonitor, 'isConfigured'>;
  readonly jobs: JobsPort;
  /** Absent in tests that run daemons without a library. */
  readonly library?: LibraryPort;
  readonly releases?: ReleasesPort;
  /** The Spotify link (server/spotify/connection.ts); absent in tests that run daemons without it. */
  readonly spotify?: SpotifyPort;
  /** The Spotify Sync daemon's work (server/spotify/library.ts). */
  readonly spotifySync?: SpotifySyncPort;
  /** Present when slskd is the download backend for songs without a file of their own. */
  readonly soulseek?: SoulseekPort;
  /** Watched artists and MusicBrainz (server/automation/service.ts). */
  readonly automation?: AutomationPort;
  /** Better files for lossy library files (server/library/quality-upgrade.ts). */
  readonly qualityUpgrade?: QualityUpgradePort;
}

/** What the daemons use of the Spotify link. */
export interface SpotifyPort {
  /** The configuration the link still needs (variable names); empty when configured. */
  missing(): readonly string[];
  /** Refreshes the access token when it expires within the threshold; throws when Spotify refused the refresh token. */
  refreshIfDue(withinMs?: number): Promise<RefreshOutcome>;
}

export interface ActivityJob {
  readonly jobId?: string | null;
  readonly jobType?: string | null;
}

/** An activity line and the job it is about. */
export interface ActivityReport extends ActivityJob {
  readonly message: string;
}

/** Handed to each cycle. */
export interface CycleContext {
  /** Aborted when the daemon is stopped: long work should check it and return early. */
  readonly signal: AbortSignal;
  /** Sets the daemon's current activity ("Checking for …", "Processing …"); throttled for subscribers. */
  report(message: string, job?: ActivityJob): void;
  /** The daemon's interval now (its setting, or the default). */
  readonly intervalSeconds: number;
  readonly log: Logger;
}

/** Common fields every details type carries. */
export interface DetailsBase {
  readonly lastRunAt: Date | null;
  readonly nextRunAt: Date | null;
  readonly lastError: string | null;
  readonly intervalSeconds: number;
}

/** Thrown from a cycle (or set-up) when the daemon cannot go on: the orchestrator restarts it. */
export class DaemonCrash extends Error {
  override name = 'DaemonCrash';
}

/** Thrown by validateSettings with the offending argument. */
export class InvalidSettingError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The small base of every daemon: its definition, counters that survive restarts (stats),
 * per-daemon settings, an optional set-up, and one cycle. The orchestrator runs the loop.
 */
export abstract class Daemon<TStats extends object = object, TSettings extends object = object> {
  abstract readonly definition: DaemonDefinition;
  stats: TStats;
  settings: TSettings;

  constructor(protected readonly env: DaemonEnv) {
    this.stats = this.initialStats();
    this.settings = this.defaultSettings();
  }

  protected abstract initialStats(): TStats;

  protected defaultSettings(): TSettings {
    return {} as TSettings;
  }

  /** Restores persisted counters and settings, keeping defaults for fields added since. */
  restore(stats: Record<string, unknown> | null, settings: Record<string, unknown> | null): void {
    this.stats = { ...this.initialStats(), ...(stats ?? {}) } as TStats;
    this.settings = { ...this.defaultSettings(), ...(settings ?? {}) } as TSettings;
  }

  /** Checks a settings change; throws InvalidSettingError. Daemons with settings override it. */
  validateSettings(patch: Record<string, unknown>): Partial<TSettings> {
    const [first] = Object.keys(patch);
    throw new InvalidSettingError(first ?? 'settings', `${this.definition.key} has no setting "${first ?? ''}"`);
  }

  /** Runs when the daemon starts or restarts; throwing counts as a crash. */
  async setUp(): Promise<void> {}

  /** Runs after the loop has ended on stop. */
  async tearDown(): Promise<void> {}

  /**
   * One unit of work. Returns the activity to show until the next cycle (with the job it is
   * about, if any); nothing means "Sleeping for N seconds".
   */
  abstract cycle(ctx: CycleContext): Promise<string | ActivityReport | void>;

  /** The typed details GraphQL shows for this daemon. */
  abstract details(base: DetailsBase): DaemonDetails;
}
