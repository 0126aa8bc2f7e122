import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { Daemon, type DetailsBase } from './base.js';

interface Stats {
  filesProcessed: number;
  filesFailed: number;
}

export interface PostProcessingDetails extends DetailsBase {
  readonly kind: 'post_processing';
  readonly filesProcessed: number;
  readonly filesFailed: number;
}

/** Tags finished downloads and files them as Artist/Album/NN Title.ext. */
export class PostProcessingDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'post_processing',
    displayName: 'Post-Processing',
    category: 'DOWNLOAD',
    priority: 50,
    required: false,
    dependsOn: [],
    defaultEnabled: true,
    defaultIntervalSeconds: 30,
  };

  private unsubscribe: (() => void) | null = null;
  private last: string | null = null;

  protected initialStats(): Stats {
    return { filesProcessed: 0, filesFailed: 0 };
  }

  /** Counts what the download stage files through post-processing (app.ts shows each as this daemon's activity). */
  override async setUp(): Promise<void> {
    this.unsubscribe ??=
      this.env.library?.onFiled((e) => {
        if (e.ok) this.stats.filesProcessed++;
        else this.stats.filesFailed++;
        this.last = e.ok ? `Filed ${e.track.relativePath}` : `Refused ${e.file}: ${e.error}`;
      }) ?? null;
  }

  override async tearDown(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  async cycle(): Promise<string> {
    const { filesProcessed, filesFailed } = this.stats;
    if (filesProcessed + filesFailed === 0) return 'Waiting for finished downloads: none filed yet';
    return `Waiting for finished downloads: ${filesProcessed} filed, ${filesFailed} refused so far${this.last ? ` (last: ${this.last})` : ''}`;
  }

  details(base: DetailsBase): PostProcessingDetails {
    return { ...base, kind: 'post_processing', filesProcessed: this.stats.filesProcessed, filesFailed: this.stats.filesFailed };
  }
}
