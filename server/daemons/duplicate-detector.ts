import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { findDuplicates, metadataHash, type DuplicateGroup, type TrackFingerprint } from '../domain/library/duplicates.js';
import { walkFiles } from '../integrations/file-walk.js';
import { Daemon, type CycleContext, type DetailsBase } from './base.js';

const AUDIO_EXTENSIONS = new Set(['.mp3', '.flac', '.m4a', '.mp4', '.aac', '.ogg', '.oga', '.opus', '.wav', '.aif', '.aiff', '.wma', '.ape', '.wv']);
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

async function sha256(file: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
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
    const tracks: TrackFingerprint[] = [];
    let unreadable = 0;
    for await (const f of walkFiles(root, ctx.signal)) {
      if (!AUDIO_EXTENSIONS.has(path.extname(f.path).toLowerCase())) continue;
      if (tracks.length % 50 === 0) ctx.report(`Processing track ${tracks.length + 1}: ${path.relative(root, f.path)}`);
      let meta: string | null = null;
      try {
        const { common, format } = await parseFile(f.path, { duration: true, skipCovers: true });
        const artist = common.artist ?? common.albumartist ?? '';
        meta = metadataHash(artist, common.title ?? '', format.duration ?? null);
      } catch {
        unreadable += 1; // still compared by content
      }
      tracks.push({ path: path.relative(root, f.path), metadataHash: meta, contentHash: await sha256(f.path, ctx.signal) });
    }
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
