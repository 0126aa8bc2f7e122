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

  protected initialStats(): Stats {
    return { filesProcessed: 0, filesFailed: 0 };
  }

  async cycle(): Promise<string> {
    return 'Waiting for finished downloads: none recorded yet';
  }

  details(base: DetailsBase): PostProcessingDetails {
    return { ...base, kind: 'post_processing', filesProcessed: this.stats.filesProcessed, filesFailed: this.stats.filesFailed };
  }
}
