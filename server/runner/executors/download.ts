import type { ItemHandler, ItemPlanner, StageExecutor } from '../executor.js';

/**
 * The download stage: Fetches each wanted song not yet in the library. Its item work is a pluggable handler; the real one arrives
 * with the playlists-and-downloads issue.
 */
export function downloadStage(handle: ItemHandler, plan?: ItemPlanner, workers = 2): StageExecutor {
  return { stageType: 'download', workers, handle, ...(plan ? { plan } : {}) };
}
