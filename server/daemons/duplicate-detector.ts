import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { findDuplicates, type DuplicateGroup } from '../domain/library/duplicates.js';
import { fingerprintTracks } from '../integrations/library-files.js';
import { Daemon, type CycleContext, type DetailsBase } from './base.js';

/** Groups kept for display; the counts cover all of them. */
const MAX_GROUPS_KEPT = 200;

interface Stats {
  tracksScanned: number;
  duplicatesFound: number;
  groups: DuplicateGroup[];
  duplicateGroups: number;
  unreadable: number;
}

export interface DuplicateDetectorDetails extends DetailsBase {
  readonly kind: 'duplicate_detector';
  readonly detectionMethod: string;
  readonly tracksScanned: number;
  readonly duplicatesFound: number;
  readonly duplicateGroups: number;
  readonly groups: readonly DuplicateGroup[];
}

/** Finds duplicate tracks in the library by metadata hash and by file content hash. */
export class DuplicateDetectorDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'duplicate_detector',
    displayName: 'Duplicate Detector',
    category: 'MAINTENANCE',
    priority: 15,
    required: false,
    dependsOn: [],
    defaultEnabled: false,
    defaultIntervalSeconds: 7 * 24 * 3600,
  };

  protected initialStats(): Stats {
    return { tracksScanned: 0, duplicatesFound: 0, groups: [], duplicateGroups: 0, unreadable: 0 };
  }

  async cycle(ctx: CycleContext): Promise<string> {
    const root = this.env.config.libraryDir;
    ctx.report('Checking the library for duplicate tracks');
    // the same fingerprinting as the find_duplicates task (server/tasks/find-duplicates.ts)
    const { tracks, unreadable } = await fingerprintTracks(root, {
      byContent: true,
      signal: ctx.signal,
      onProgress: (p) => {
        if (p.current !== null && p.done % 50 === 0) ctx.report(`Processing track ${p.done + 1}: ${p.current}`);
      },
    });
    const { groups, duplicateFiles } = findDuplicates(tracks);
    this.stats = {
      tracksScanned: tracks.length,
      duplicatesFound: duplicateFiles,
      duplicateGroups: groups.length,
      groups: groups.slice(0, MAX_GROUPS_KEPT),
      unreadable,
    };
    return `Scanned ${tracks.length} tracks: ${duplicateFiles} duplicates in ${groups.length} groups`;
  }

  details(base: DetailsBase): DuplicateDetectorDetails {
    return {
      ...base,
      kind: 'duplicate_detector',
      detectionMethod: 'metadata-hash+content-hash',
      tracksScanned: this.stats.tracksScanned,
      duplicatesFound: this.stats.duplicatesFound,
      duplicateGroups: this.stats.duplicateGroups,
      groups: this.stats.groups,
    };
  }
}
