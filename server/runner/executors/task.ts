import { displayName } from '../../domain/jobs/catalog.js';
import { isTaskType, parseTaskParams, type TaskParams, type TaskResults, type TaskType } from '../../domain/jobs/tasks.js';
import type { ItemContext, ItemOutcome, ItemProgress, StageExecutor } from '../executor.js';

/** What a task handler is handed besides its parameters. */
export interface TaskContext {
  /** Aborted on pause, cancel or shutdown: stop promptly (a paused task starts over when resumed). */
  readonly signal: AbortSignal;
  /** Bytes worked through so far of a known total, where the task has byte counts. */
  progress(p: ItemProgress): void;
}

/** One typed task: validated parameters in, typed result out; throws (a TaskError when it can say why) on failure. */
export type TaskHandler<T extends TaskType> = (params: TaskParams[T], ctx: TaskContext) => Promise<TaskResults[T]>;

/** The handler of every task type (a typed map: a new task is one handler file and one entry). */
export type TaskHandlers = { readonly [T in TaskType]: TaskHandler<T> };

/** A failure a task names, with a code the retry rules read (file_not_found, invalid_params are never retried). */
export class TaskError extends Error {
  override name = 'TaskError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

function run<T extends TaskType>(taskType: T, handlers: Partial<TaskHandlers>, params: TaskParams[T], ctx: TaskContext): Promise<TaskResults[T]> | null {
  const handler = handlers[taskType] as TaskHandler<T> | undefined;
  return handler ? handler(params, ctx) : null;
}

/**
 * The task stage: one item (the task itself), run by the handler of the job's task type with
 * the job's parameters; the handler's result becomes the job's result.
 */
export function taskStage(handlers: Partial<TaskHandlers>, workers = 1): StageExecutor {
  return {
    stageType: 'task',
    workers,
    plan: async (job) => [{ itemKey: 'task', label: displayName(job.jobType, job.scope) }],
    handle: async (ctx: ItemContext): Promise<ItemOutcome> => {
      const { jobType } = ctx.job;
      if (!isTaskType(jobType)) return { status: 'failed', code: 'invalid_params', error: `${jobType} is not a task` };
      // validated when the job was created; read back from the database, so checked again
      const parsed = parseTaskParams(jobType, ctx.job.params);
      if (!parsed.ok) return { status: 'failed', code: 'invalid_params', error: parsed.message };
      try {
        const running = run(jobType, handlers, parsed.params, { signal: ctx.signal, progress: (p) => ctx.progress(p) });
        if (!running) return { status: 'failed', code: 'not_implemented', error: `${jobType} has no handler` };
        const result = await running;
        return { status: 'succeeded', result: { ...result } as Record<string, unknown> };
      } catch (err) {
        if (err instanceof TaskError && !ctx.signal.aborted) return { status: 'failed', error: err.message, ...(err.code ? { code: err.code } : {}) };
        throw err; // the runner fails the item with the message (or checkpoints it when aborted)
      }
    },
  };
}
