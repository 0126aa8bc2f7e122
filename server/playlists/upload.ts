import fs from 'node:fs/promises';
import path from 'node:path';
import { copyVerified } from '../library/copy.js';
import type { BackendRow, PlaylistRepository } from '../db/repositories/playlist.repository.js';
import { StageRefusedError, type ItemOutcome } from '../runner/executor.js';
import type { StageWork } from '../runner/executors/index.js';

export interface UploadStageDeps {
  readonly playlists: PlaylistRepository;
  /** Where files are copied from (the default library). */
  readonly from: () => BackendRow;
  /** Where they go; null when no second root is configured (ROADIE_UPLOAD_DIR). */
  readonly to: () => BackendRow | null;
}

interface FilePayload {
  localFileId: number;
  songId: number | null;
  relativePath: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Upload: one item per library file of the job's playlists (all files when the job has none)
 * that the second root lacks; each is copied, verified by size and SHA-256, then recorded
 * there. A job without a second root configured fails and says so.
 */
export function uploadWork(deps: UploadStageDeps): StageWork {
  return {
    workers: 1,
    plan: async (job) => {
      const to = deps.to();
      if (!to) throw new StageRefusedError('no upload root is configured: set ROADIE_UPLOAD_DIR to a folder');
      const chosen = job.scope.playlistIds?.length ? job.scope.playlistIds.map(Number) : null;
      const files = await deps.playlists.filesToCopy(chosen, deps.from().id, to.id);
      return files.map((f) => ({
        itemKey: `file:${f.id}`,
        label: f.relativePath,
        payload: { localFileId: f.id, songId: f.songId, relativePath: f.relativePath, sizeBytes: f.sizeBytes, sha256: f.sha256 } satisfies FilePayload,
      }));
    },
    handle: async (ctx): Promise<ItemOutcome> => {
      const f = ctx.item.payload as unknown as FilePayload;
      const to = deps.to();
      if (!to) return { status: 'failed', code: 'not_configured', error: 'no upload root is configured (ROADIE_UPLOAD_DIR)' };
      const source = path.join(deps.from().root, f.relativePath);
      const dest = path.join(to.root, f.relativePath);
      const st = await fs.stat(source).catch(() => null);
      if (!st?.isFile()) return { status: 'failed', code: 'file_not_found', error: `${source}: no such file` };
      await fs.mkdir(path.dirname(dest), { recursive: true });
      try {
        await copyVerified(source, dest, {
          signal: ctx.signal,
          onBytes: (bytes) => ctx.progress({ bytes, totalBytes: st.size }),
          accept: (copy) =>
            copy.bytes === f.sizeBytes && copy.sha256 === f.sha256
              ? null
              : new CopyMismatch(`${f.relativePath}: the copy has ${copy.bytes} bytes, SHA-256 ${copy.sha256}; the library file was recorded with ${f.sizeBytes} bytes, ${f.sha256}`),
        });
      } catch (err) {
        if (err instanceof CopyMismatch) return { status: 'failed', code: 'checksum_mismatch', error: err.message };
        throw err;
      }
      await deps.playlists.recordLocalFile({
        songId: f.songId,
        backendId: to.id,
        relativePath: f.relativePath,
        sizeBytes: f.sizeBytes,
        sha256: f.sha256,
        container: null,
        bitrateKbps: null,
        durationSec: null,
      });
      return { status: 'succeeded', bytes: f.sizeBytes };
    },
  };
}

/** The copy differs from the library file's record (changed on disk since, or a bad disk). */
class CopyMismatch extends Error {}
