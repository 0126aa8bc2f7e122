import type { ItemHandler, ItemPlanner, StageExecutor } from '../executor.js';

/**
 * The upload stage: Copies finished files to another storage backend. Its item work is a pluggable handler; the real one arrives
 * with the playlists-and-downloads issue.
 */
export function uploadStage(handle: ItemHandler, plan?: ItemPlanner, workers = 1): StageExecutor {
  return { stageType: 'upload', workers, handle, ...(plan ? { plan } : {}) };
}
