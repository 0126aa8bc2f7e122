import type { ItemHandler, StageExecutors } from '../executor.js';
import { collectStage } from './collect.js';
import { downloadStage } from './download.js';
import { syncStage } from './sync.js';
import { uploadStage } from './upload.js';

/**
 * Until the playlists-and-downloads issue brings the real work, no stage plans any items (a
 * job completes with nothing to do) and an item that exists anyway fails with a clear code.
 */
const notYet: ItemHandler = async (ctx) => ({
  status: 'failed',
  code: 'not_implemented',
  error: `${ctx.stage.stageType} items are not implemented yet`,
});

/** The stage executors, one per stage type (a typed map). */
export function createStageExecutors(handlers: Partial<Record<keyof StageExecutors, ItemHandler>> = {}): StageExecutors {
  return {
    collect: collectStage(handlers.collect ?? notYet),
    sync: syncStage(handlers.sync ?? notYet),
    download: downloadStage(handlers.download ?? notYet),
    upload: uploadStage(handlers.upload ?? notYet),
  };
}
