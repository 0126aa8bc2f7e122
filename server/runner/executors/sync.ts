import type { ItemHandler, ItemPlanner, StageExecutor } from '../executor.js';

/**
 * The sync stage: Refreshes each playlist's songs. Its item work is a pluggable handler; the real one arrives
 * with the playlists-and-downloads issue.
 */
export function syncStage(handle: ItemHandler, plan?: ItemPlanner, workers = 2): StageExecutor {
  return { stageType: 'sync', workers, handle, ...(plan ? { plan } : {}) };
}
