import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { isAudioFile, type TrackTags } from '../domain/library/audio-files.js';
import { metadataHash, type TrackFingerprint } from '../domain/library/duplicates.js';
import { walkFiles, type WalkedFile } from './file-walk.js';

/** A track's artist, title and (when asked for) duration; throws when the file cannot be parsed. */
export async function readTrackTags(file: string, opts: { duration?: boolean } = {}): Promise<TrackTags> {
  const { common, format } = await parseFile(file, { duration: opts.duration ?? false, skipCovers: true });
  return {
    artist: common.artist ?? common.albumartist ?? null,
    title: common.title ?? null,
    durationSeconds: format.duration ?? null,
  };
}

/** SHA-256 of a file's bytes, read as a stream (stops when `signal` aborts). */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, signal ? { signal } : {})) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The audio files under `root` (none when it does not exist). */
export async function audioFilesUnder(root: string, signal?: AbortSignal): Promise<WalkedFile[]> {
  const files: WalkedFile[] = [];
  for await (const f of walkFiles(root, signal)) if (isAudioFile(f.path)) files.push(f);
  return files;
}

/** Where a fingerprinting run is: before each track (`current` names it) and once at the end (`current` null). */
export interface FingerprintProgress {
  /** Tracks finished so far. */
  readonly done: number;
  readonly total: number;
  readonly doneBytes: number;
  readonly totalBytes: number;
  /** The track about to be read, relative to the root. */
  readonly current: string | null;
}

export interface FingerprintOptions {
  /** Also hash each file's bytes (finds identical copies whatever their tags). */
  readonly byContent: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: FingerprintProgress) => void;
}

export interface FingerprintRun {
  readonly tracks: TrackFingerprint[];
  /** Tracks whose tags could not be read (still compared by content). */
  readonly unreadable: number;
}

/**
 * Fingerprints every audio file under `root` (paths relative to it): a metadata hash from its
 * tags and, with byContent, a hash of its bytes. The Duplicate Detector daemon and the
 * find_duplicates task both run this; findDuplicates() then groups the fingerprints.
 */
export async function fingerprintTracks(root: string, opts: FingerprintOptions): Promise<FingerprintRun> {
  const files = await audioFilesUnder(root, opts.signal);
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  const tracks: TrackFingerprint[] = [];
  let unreadable = 0;
  let doneBytes = 0;
  for (const f of files) {
    opts.signal?.throwIfAborted();
    const rel = path.relative(root, f.path);
    opts.onProgress?.({ done: tracks.length, total: files.length, doneBytes, totalBytes, current: rel });
    let meta: string | null = null;
    try {
      const tags = await readTrackTags(f.path, { duration: true });
      meta = metadataHash(tags.artist ?? '', tags.title ?? '', tags.durationSeconds);
    } catch {
      unreadable += 1; // still compared by content
    }
    const contentHash = opts.byContent ? await sha256File(f.path, opts.signal) : null;
    tracks.push({ path: rel, metadataHash: meta, contentHash });
    doneBytes += f.size;
  }
  opts.onProgress?.({ done: tracks.length, total: files.length, doneBytes, totalBytes, current: null });
  return { tracks, unreadable };
}
