import { isAudioFile, isMissingTags } from '../domain/library/audio-files.js';
import { libraryScanResult, type ScannedFile } from '../domain/jobs/tasks.js';
import { walkFiles } from '../integrations/file-walk.js';
import { readTrackTags } from '../integrations/library-files.js';
import type { TaskHandler } from '../runner/executors/task.js';
import { libraryFolderPath } from './library-folder.js';

/**
 * library_scan: walks a folder of the library and counts what is there (files, audio files,
 * bytes, per format) and, with readTags, how many tracks miss an artist or title tag and how
 * many cannot be read at all. Progress is the bytes of the files looked at so far.
 */
export function libraryScanTask(libraryDir: string): TaskHandler<'library_scan'> {
  return async (params, ctx) => {
    const dir = await libraryFolderPath(libraryDir, params.folder);
    const files: ScannedFile[] = [];
    for await (const f of walkFiles(dir, ctx.signal)) files.push({ name: f.path, size: f.size });
    const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
    ctx.progress({ bytes: 0, totalBytes });
    let tags: { missingTags: number; unreadableFiles: number } | null = null;
    if (params.readTags) {
      tags = { missingTags: 0, unreadableFiles: 0 };
      let done = 0;
      for (const f of files) {
        ctx.signal.throwIfAborted();
        if (isAudioFile(f.name)) {
          try {
            if (isMissingTags(await readTrackTags(f.name))) tags.missingTags += 1;
          } catch {
            tags.unreadableFiles += 1;
          }
        }
        done += f.size;
        ctx.progress({ bytes: done, totalBytes });
      }
    }
    ctx.progress({ bytes: totalBytes, totalBytes });
    return libraryScanResult(params, files, tags);
  };
}
