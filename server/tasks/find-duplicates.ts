import { MAX_DUPLICATE_GROUPS_KEPT } from '../domain/jobs/tasks.js';
import { findDuplicates } from '../domain/library/duplicates.js';
import { fingerprintTracks } from '../integrations/library-files.js';
import type { TaskHandler } from '../runner/executors/task.js';

/**
 * find_duplicates: the Duplicate Detector's work on demand, with the daemon's fingerprinting
 * (metadata hash, and with byContent a hash of each file's bytes). Progress is the bytes of the
 * tracks read so far.
 */
export function findDuplicatesTask(libraryDir: string): TaskHandler<'find_duplicates'> {
  return async (params, ctx) => {
    const { tracks, unreadable } = await fingerprintTracks(libraryDir, {
      byContent: params.byContent,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ bytes: p.doneBytes, totalBytes: p.totalBytes }),
    });
    const { groups, duplicateFiles } = findDuplicates(tracks);
    return {
      byContent: params.byContent,
      tracksScanned: tracks.length,
      unreadable,
      duplicateGroups: groups.length,
      duplicateFiles,
      groups: groups.slice(0, MAX_DUPLICATE_GROUPS_KEPT),
    };
  };
}
