import fs from 'node:fs/promises';
import path from 'node:path';

export interface WalkedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Every regular file under `root` (none when it does not exist), stopping when `signal` aborts. */
export async function* walkFiles(root: string, signal?: AbortSignal): AsyncGenerator<WalkedFile> {
  let entries;
  try {
    entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    signal?.throwIfAborted();
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    try {
      const st = await fs.stat(full);
      yield { path: full, size: st.size, mtimeMs: st.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // vanished meanwhile
    }
  }
}
