import type { StageType } from '../../domain/jobs/types.js';
import type { ItemHandler, ItemPlanner, StageExecutors } from '../executor.js';
import { collectStage } from './collect.js';
import { downloadStage } from './download.js';
import { syncStage } from './sync.js';
import { taskStage, type TaskHandlers } from './task.js';
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

/** The work of a stage's items, pluggable (tests plug in handlers that succeed, fail, hang …). */
export interface StageWork {
  readonly handle: ItemHandler;
  readonly plan?: ItemPlanner;
  readonly workers?: number;
}

/**
 * The stage executors, one per stage type (a typed map). The task stage runs the typed task
 * handlers (server/tasks/); a task type without one fails with a clear code.
 */
export function createStageExecutors(work: Partial<Record<StageType, StageWork>> = {}, tasks: Partial<TaskHandlers> = {}): StageExecutors {
  return {
    collect: collectStage(work.collect?.handle ?? notYet, work.collect?.plan, work.collect?.workers),
    sync: syncStage(work.sync?.handle ?? notYet, work.sync?.plan, work.sync?.workers),
    download: downloadStage(work.download?.handle ?? notYet, work.download?.plan, work.download?.workers),
    upload: uploadStage(work.upload?.handle ?? notYet, work.upload?.plan, work.upload?.workers),
    // a replaced task handler keeps the task's one-item plan unless it brings its own
    task: work.task ? { ...taskStage(tasks, work.task.workers), handle: work.task.handle, ...(work.task.plan ? { plan: work.task.plan } : {}) } : taskStage(tasks),
  };
}
