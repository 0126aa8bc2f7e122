import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { libraryPath, type TrackTags } from '../domain/library/naming.js';
import type { BackendRow, PlaylistRepository } from '../db/repositories/playlist.repository.js';
import { sha256File } from '../integrations/library-files.js';
import { writeWavInfo } from './wav-tags.js';

/** A file that is not audio music-metadata can read: never retried. */
export class InvalidFileError extends Error {
  override name = 'InvalidFileError';
  readonly code = 'invalid_file';
}

/** What is known about a downloaded file before it is looked at. */
export interface FileRequest {
  /** The downloaded file (outside the library); it is moved, never copied. */
  readonly file: string;
  readonly songId: number | null;
  /** The playlist entry's tags: they fill what the file lacks. */
  readonly tags: TrackTags;
  /** The file's SHA-256 when the download computed it (saves reading it again when no tag is written). */
  readonly sha256?: string | null;
  /** The job it came from (the daemon's activity links to it). */
  readonly jobId?: number;
  /** The MusicBrainz release the song is on, when known: its front cover goes next to the album. */
  readonly releaseMbid?: string | null;
}

/** Where covers come from (the Cover Art Archive client fits). */
export interface CoverSource {
  frontCover(releaseMbid: string, o: { size?: 250 | 500 | 1200; signal?: AbortSignal }): Promise<{ bytes: Buffer; mimeType: string } | null>;
}

/** What happened about the album's cover: fetched now, there already, none in the archive, the archive failed, or no release id. */
export type CoverOutcome = 'fetched' | 'present' | 'none' | 'failed' | 'unknown_release';

export interface FiledTrack {
  readonly localFileId: number;
  /** Artist/Album/NN Title.ext under the library root. */
  readonly relativePath: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly container: string | null;
  readonly bitrateKbps: number | null;
  readonly durationSec: number | null;
  /** Tags written into the file from the playlist entry (WAVE only; other formats are left as they are). */
  readonly tagsFilled: readonly (keyof TrackTags)[];
  readonly cover: CoverOutcome;
}

/** What the Post-Processing daemon hears about each file. */
export type PostProcessEvent =
  | { readonly ok: true; readonly track: FiledTrack; readonly jobId: number | null }
  | { readonly ok: false; readonly file: string; readonly error: string; readonly jobId: number | null };

const COVER_EXTENSIONS: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' };

/** Extensions by music-metadata's container name; other containers keep the file's own extension. */
const EXTENSIONS: Readonly<Record<string, string>> = { WAVE: 'wav', FLAC: 'flac', MPEG: 'mp3', Ogg: 'ogg', 'MPEG-4': 'm4a', AIFF: 'aiff' };

/**
 * Post-processing of finished downloads: reads the tags with music-metadata (a file it cannot
 * read as audio fails with invalid_file), fills missing tags from the playlist entry where the
 * format allows (WAVE's RIFF INFO), files the track as Artist/Album/NN Title.ext in the library
 * and records the local file. With a MusicBrainz release id and the Cover Art Archive
 * configured, the album folder gets the release's front cover.
 */
export class PostProcessor {
  private readonly listeners = new Set<(e: PostProcessEvent) => void>();
  /** Cover fetches under way, by album folder: two tracks of one album filed at once fetch it once. */
  private readonly coverFetches = new Map<string, Promise<CoverOutcome>>();

  constructor(
    private readonly repo: PlaylistRepository,
    private readonly library: () => BackendRow,
    private readonly covers: CoverSource | null = null,
  ) {}

  /** Hears every filed or refused file; returns the unsubscribe. */
  subscribe(fn: (e: PostProcessEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async file(req: FileRequest): Promise<FiledTrack> {
    try {
      const track = await this.fileOnce(req);
      this.emit({ ok: true, track, jobId: req.jobId ?? null });
      return track;
    } catch (err) {
      this.emit({ ok: false, file: req.file, error: err instanceof Error ? err.message : String(err), jobId: req.jobId ?? null });
      throw err;
    }
  }

  private emit(e: PostProcessEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  private async fileOnce(req: FileRequest): Promise<FiledTrack> {
    let meta;
    try {
      meta = await parseFile(req.file, { duration: true, skipCovers: true });
    } catch (err) {
      throw new InvalidFileError(`${path.basename(req.file)} is not audio Roadie can read (${err instanceof Error ? err.message : String(err)})`);
    }
    const { common, format } = meta;
    if (!format.container || !(format.duration || format.numberOfSamples || format.bitrate)) {
      throw new InvalidFileError(`${path.basename(req.file)} has no audio stream`);
    }
    const inFile: TrackTags = {
      artist: common.artist ?? common.albumartist ?? null,
      album: common.album ?? null,
      title: common.title ?? null,
      trackNumber: common.track.no ?? null,
    };
    const tags: TrackTags = {
      artist: inFile.artist ?? req.tags.artist,
      album: inFile.album ?? req.tags.album,
      title: inFile.title ?? req.tags.title,
      trackNumber: inFile.trackNumber ?? req.tags.trackNumber,
    };
    const missing = (Object.keys(inFile) as (keyof TrackTags)[]).filter((k) => inFile[k] === null && tags[k] !== null);
    let tagsFilled: (keyof TrackTags)[] = [];
    if (missing.length > 0 && format.container === 'WAVE' && (await writeWavInfo(req.file, tags))) tagsFilled = missing;

    const ext = EXTENSIONS[format.container] ?? path.extname(req.file).slice(1);
    const backend = this.library();
    const sha256 = tagsFilled.length === 0 && req.sha256 ? req.sha256 : await sha256File(req.file);
    const { size } = await fs.stat(req.file);
    const relativePath = await placeInLibrary(req.file, backend.root, libraryPath(tags, ext), sha256);
    const bitrateKbps = format.bitrate ? Math.round(format.bitrate / 1000) : null;
    const durationSec = format.duration ?? null;
    const localFileId = await this.repo.recordLocalFile({
      songId: req.songId,
      backendId: backend.id,
      relativePath,
      sizeBytes: size,
      sha256,
      container: format.container,
      bitrateKbps,
      durationSec,
    });
    const cover = await this.fetchCover(req.releaseMbid ?? null, path.join(backend.root, path.dirname(relativePath)));
    return { localFileId, relativePath, sizeBytes: size, sha256, container: format.container, bitrateKbps, durationSec, tagsFilled, cover };
  }

  /**
   * The album folder's cover.jpg (or .png …) from the Cover Art Archive, once per folder; a
   * failure is reported, never fatal: the track is filed either way.
   */
  private async fetchCover(releaseMbid: string | null, albumDir: string): Promise<CoverOutcome> {
    if (!releaseMbid || !this.covers) return 'unknown_release';
    const running = this.coverFetches.get(albumDir);
    if (running) return (await running) === 'fetched' ? 'present' : running;
    const fetching = this.fetchCoverOnce(releaseMbid, albumDir, this.covers).finally(() => this.coverFetches.delete(albumDir));
    this.coverFetches.set(albumDir, fetching);
    return fetching;
  }

  private async fetchCoverOnce(releaseMbid: string, albumDir: string, covers: CoverSource): Promise<CoverOutcome> {
    const present = (await fs.readdir(albumDir).catch(() => [] as string[])).some((f) => /^cover\.(jpe?g|png|webp|gif)$/i.test(f));
    if (present) return 'present';
    try {
      const image = await covers.frontCover(releaseMbid, { size: 500, signal: AbortSignal.timeout(30_000) });
      if (!image) return 'none';
      const ext = COVER_EXTENSIONS[image.mimeType] ?? 'jpg';
      const target = path.join(albumDir, `cover.${ext}`);
      const tmp = `${target}.part`;
      await fs.writeFile(tmp, image.bytes);
      await fs.rename(tmp, target);
      return 'fetched';
    } catch {
      return 'failed';
    }
  }
}

/**
 * Moves `file` to `wanted` under `root`, or next to it as "Title (2).ext" … when another file is
 * there; the same bytes already there count as filed (the download is dropped). The move never
 * replaces a file: two workers filing the same name at once get two names. Returns the path
 * used, relative to the root.
 */
async function placeInLibrary(file: string, root: string, wanted: string, sha256: string): Promise<string> {
  const ext = path.extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  await fs.mkdir(path.join(root, path.dirname(wanted)), { recursive: true });
  const size = (await fs.stat(file)).size;
  for (let n = 1; ; n++) {
    const rel = n === 1 ? wanted : `${stem} (${n})${ext}`;
    const target = path.join(root, rel);
    if (await moveExclusive(file, target)) return rel;
    const there = await fs.stat(target).catch(() => null);
    if (there && there.size === size && (await sha256File(target)) === sha256) {
      await fs.rm(file, { force: true });
      return rel;
    }
  }
}

/**
 * Moves a file to a path that must not exist yet (false when it does): a hard link then an
 * unlink, or an exclusive copy across file systems (the temp folder may be on another disk).
 */
async function moveExclusive(from: string, to: string): Promise<boolean> {
  try {
    await fs.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
    try {
      await fs.copyFile(from, to, fsConstants.COPYFILE_EXCL);
    } catch (copyErr) {
      if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') return false;
      await fs.rm(to, { force: true });
      throw copyErr;
    }
  }
  await fs.rm(from, { force: true });
  return true;
}
