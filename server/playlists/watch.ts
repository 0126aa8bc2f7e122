import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { PLAYLIST_EXTENSIONS } from '../domain/playlists/types.js';
import type { PlaylistSourceKind } from '../db/entities/library.entity.js';

/** How long after a watch failed the folder is watched again. */
const RETRY_MS = 5000;

/**
 * Watches folder sources: when a playlist file under one is added, changed or removed, calls
 * `onChange(sourceId)` once the folder has been quiet for `quietMs` (an editor's save is often
 * several writes).
 */
export class FolderWatcher {
  private readonly watchers = new Map<number, { location: string; watcher: FSWatcher }>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private sources: readonly { id: number; kind: PlaylistSourceKind; location: string }[] = [];
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly onChange: (sourceId: number) => void,
    private readonly onError: (sourceId: number, err: unknown) => void,
    private readonly quietMs = 1000,
  ) {}

  /** Watches exactly the folder sources given (new ones start, removed ones stop). */
  follow(sources: readonly { id: number; kind: PlaylistSourceKind; location: string }[]): void {
    if (this.closed) return;
    this.sources = sources;
    const folders = new Map(sources.filter((s) => s.kind === 'folder').map((s) => [s.id, s.location]));
    for (const [id, w] of this.watchers) {
      if (folders.get(id) !== w.location) this.stop(id);
    }
    for (const [id, location] of folders) {
      if (this.watchers.has(id)) continue;
      try {
        const watcher = watch(location, { recursive: true, persistent: false }, (_event, file) => {
          if (file && PLAYLIST_EXTENSIONS.includes(path.extname(String(file)).toLowerCase())) this.touched(id);
        });
        watcher.on('error', (err) => {
          // e.g. a subfolder removed while it was being read: watch the folder again a little later
          this.stop(id);
          this.onError(id, err);
          this.retry ??= setTimeout(() => {
            this.retry = null;
            this.follow(this.sources);
          }, RETRY_MS).unref();
        });
        this.watchers.set(id, { location, watcher });
      } catch (err) {
        this.onError(id, err); // gone or unreadable: its next collect says so
      }
    }
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const id of [...this.watchers.keys()]) this.stop(id);
  }

  private touched(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        this.onChange(id);
      }, this.quietMs),
    );
  }

  private stop(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.watchers.get(id)?.watcher.close();
    this.watchers.delete(id);
  }
}
