import type { ItemHandler, ItemPlanner, StageExecutor } from '../executor.js';

/**
 * The collect stage: Reads the playlist sources and creates or updates playlists. Its item work is a pluggable handler; the real one arrives
 * with the playlists-and-downloads issue.
 */
export function collectStage(handle: ItemHandler, plan?: ItemPlanner, workers = 1): StageExecutor {
  return { stageType: 'collect', workers, handle, ...(plan ? { plan } : {}) };
}
