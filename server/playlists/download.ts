import fs from 'node:fs/promises';
import path from 'node:path';
import { DownloadError } from '../domain/downloads/errors.js';
import type { MissingSong, PlaylistRepository } from '../db/repositories/playlist.repository.js';
import { downloadFile } from '../downloads/http-download.js';
import { fetchFromSoulseek, SoulseekFetchError, type SoulseekBackend } from '../downloads/soulseek.js';
import type { RateLimiter } from '../downloads/rate-limiter.js';
import { copyVerified } from '../library/copy.js';
import { InvalidFileError, type PostProcessor } from '../library/post-processor.js';
import type { ItemContext, ItemOutcome } from '../runner/executor.js';
import type { StageWork } from '../runner/executors/index.js';
import { scopedPlaylists } from './stages.js';

export interface DownloadStageDeps {
  readonly playlists: PlaylistRepository;
  readonly postProcessor: PostProcessor;
  readonly rateLimiter: RateLimiter;
  /** Where downloads land before post-processing files them (outside the library). */
  readonly incomingDir: string;
  /** Download workers per job (slots download-1 …). */
  readonly workers?: number;
  /** Finds songs without a file or URL of their own (Spotify tracks) on Soulseek; null while slskd is not configured. */
  readonly soulseek?: () => SoulseekBackend | null;
}

/** A download item's payload: the song, where it comes from, and what the playlist says about it. */
type SongPayload = Omit<MissingSong, 'id'> & { songId: number };

/**
 * Download: one item per song of the job's playlists (the chosen ones, else the wanted ones)
 * without a file in the library. An http(s) song is downloaded (resumed from its .part file
 * after an interruption), a local one copied; then post-processing files it in the library.
 */
export function downloadWork(deps: DownloadStageDeps): StageWork {
  return {
    workers: deps.workers ?? 2,
    plan: async (job) => {
      const chosen = job.scope.playlistIds?.length ? await scopedPlaylists(deps.playlists, job.scope) : (await scopedPlaylists(deps.playlists, job.scope)).filter((p) => p.wanted);
      const songs = await deps.playlists.missingSongs(chosen.map((p) => p.id));
      return songs.map((s) => ({
        itemKey: `song:${s.id}`,
        label: s.artist ? `${s.artist} – ${s.title}` : s.title,
        payload: { ...withoutId(s), songId: s.id } satisfies SongPayload,
      }));
    },
    handle: async (ctx) => {
      const song = ctx.item.payload as unknown as SongPayload;
      const searched = /^(spotify|musicbrainz):/i.test(song.location);
      const soulseek = searched ? (deps.soulseek?.() ?? null) : null;
      if (searched && !soulseek) {
        // Spotify streams and MusicBrainz catalogues, neither sells files: a search backend (slskd) has to find one
        return {
          status: 'failed',
          code: 'no_source',
          error: `${song.location}: a Spotify or MusicBrainz track has no file to download; set ROADIE_SLSKD_URL, ROADIE_SLSKD_API_KEY and ROADIE_SLSKD_DOWNLOADS_DIR to find one on Soulseek`,
        };
      }
      let incoming = path.join(deps.incomingDir, `song-${song.songId}${extensionOf(song.location)}`);
      try {
        await fs.mkdir(deps.incomingDir, { recursive: true });
        let got: { sha256: string | null };
        if (soulseek) {
          const found = await fetchFromSoulseek(soulseek, ctx, song, incoming);
          incoming = found.file;
          got = found;
        } else {
          got = /^https?:\/\//i.test(song.location) ? await fetchSong(deps, ctx, song, incoming) : await copySong(ctx, song, incoming);
        }
        const filed = await deps.postProcessor.file({
          file: incoming,
          songId: song.songId,
          tags: { artist: song.artist, album: song.album, title: song.title, trackNumber: song.trackNumber },
          sha256: got.sha256,
          jobId: ctx.job.id,
          releaseMbid: song.releaseMbid ?? null,
        });
        if (soulseek) await soulseek.transfers.done(song.songId);
        return { status: 'succeeded', bytes: filed.sizeBytes };
      } catch (err) {
        return failure(err, ctx, incoming);
      }
    },
  };
}

async function fetchSong(deps: DownloadStageDeps, ctx: ItemContext, song: SongPayload, dest: string): Promise<{ sha256: string | null }> {
  const r = await downloadFile({
    url: song.location,
    dest,
    partDir: deps.incomingDir,
    expectedSize: song.sizeBytes,
    sha256: song.sha256,
    signal: ctx.signal,
    rateLimiter: deps.rateLimiter,
    onProgress: (bytes, totalBytes) => ctx.progress({ bytes, totalBytes }),
  });
  return { sha256: r.sha256 };
}

/** A song on a local disk: copied (with progress and its hash checked), since the playlist's file is not ours to move. */
async function copySong(ctx: ItemContext, song: SongPayload, dest: string): Promise<{ sha256: string }> {
  const st = await fs.stat(song.location).catch(() => null);
  if (!st?.isFile()) throw new DownloadError('file_not_found', `${song.location}: no such file`);
  return copyVerified(song.location, dest, {
    signal: ctx.signal,
    onBytes: (bytes) => ctx.progress({ bytes, totalBytes: st.size }),
    accept: (copy) =>
      song.sha256 && song.sha256 !== copy.sha256 ? new DownloadError('checksum_mismatch', `${song.location}: SHA-256 ${copy.sha256} is not the expected ${song.sha256}`) : null,
  });
}

/** How an item ends when its work threw: typed codes for the retry rules; an interruption goes to the runner. */
async function failure(err: unknown, ctx: ItemContext, incoming: string): Promise<ItemOutcome> {
  if (ctx.signal.aborted) throw err; // pause, cancel or shutdown: the runner checkpoints the item (the .part file stays)
  if (err instanceof InvalidFileError) {
    await fs.rm(incoming, { force: true });
    return { status: 'failed', code: err.code, error: err.message };
  }
  if (err instanceof DownloadError || err instanceof SoulseekFetchError) return { status: 'failed', code: err.code, error: err.message };
  throw err;
}

/** The song's file extension from its location ('' when it has none). */
function extensionOf(location: string): string {
  const p = /^https?:\/\//i.test(location) ? new URL(location).pathname : location;
  const ext = path.extname(p).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '';
}

function withoutId({ id: _id, ...rest }: MissingSong): Omit<MissingSong, 'id'> {
  return rest;
}
