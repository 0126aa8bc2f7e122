import fs from 'node:fs/promises';
import path from 'node:path';
import { TaskError } from '../runner/executors/task.js';

/**
 * The real path of a folder inside the library (null: the library itself). The folder was
 * checked when the job was created (no absolute path, no ".." out of it); here it must also
 * exist, be a folder, and not lead out of the library through a symbolic link.
 */
export async function libraryFolderPath(libraryDir: string, folder: string | null): Promise<string> {
  const shown = folder ?? '.';
  let root: string;
  try {
    root = await fs.realpath(libraryDir);
  } catch {
    throw new TaskError(`the library folder ${libraryDir} does not exist`, 'file_not_found');
  }
  let real: string;
  try {
    real = await fs.realpath(path.resolve(root, folder ?? '.'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TaskError(`folder "${shown}" does not exist in the library`, 'file_not_found');
    throw err;
  }
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new TaskError(`folder "${shown}" leads out of the library`, 'invalid_params');
  }
  if (!(await fs.stat(real)).isDirectory()) throw new TaskError(`"${shown}" in the library is a file, not a folder`, 'invalid_params');
  return real;
}
