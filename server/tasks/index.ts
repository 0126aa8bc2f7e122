import type { TaskHandlers } from '../runner/executors/task.js';
import { findDuplicatesTask } from './find-duplicates.js';
import { libraryScanTask } from './library-scan.js';

/** What the tasks need from the configuration. */
export interface TaskEnv {
  readonly libraryDir: string;
}

/** Every typed task Roadie runs: a new task is one file plus one line here (and its type in domain/jobs/tasks.ts). */
export function createTaskHandlers(env: TaskEnv): TaskHandlers {
  return {
    library_scan: libraryScanTask(env.libraryDir),
    find_duplicates: findDuplicatesTask(env.libraryDir),
  };
}
