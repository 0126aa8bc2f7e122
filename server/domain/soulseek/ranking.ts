/**
 * Choosing a Soulseek file for a wanted song, and reading slskd's transfer states. Pure: no
 * I/O, so the download stage, the Download Monitor and tests share one set of rules.
 *
 * Shapes follow slskd's API (repository slskd/slskd): a search response per user
 * (src/slskd/Search/Types/Response.cs: username, hasFreeUploadSlot, queueLength, uploadSpeed,
 * files) with files (src/slskd/Search/Types/File.cs: filename, size, bitRate, bitDepth,
 * sampleRate, length, extension, isLocked); transfer states are Soulseek.NET's TransferStates
 * flags serialised as text ("Queued, Remotely", "InProgress", "Completed, Succeeded", …; see
 * src/slskd/Transfers/Types/TransferStateCategories.cs).
 */
import { isRetryable } from '../jobs/retry.js';

/** One file of a search response, as slskd returns it (only the fields ranking reads). */
export interface SoulseekFile {
  filename: string;
  size: number;
  bitRate?: number | null;
  bitDepth?: number | null;
  sampleRate?: number | null;
  /** Seconds. */
  length?: number | null;
  extension?: string | null;
  isLocked?: boolean | null;
}

/** One user's answer to a search. */
export interface SoulseekResponse {
  username: string;
  hasFreeUploadSlot: boolean;
  queueLength: number;
  /** Bytes per second, as the peer reports it. */
  uploadSpeed: number;
  files: readonly SoulseekFile[];
  lockedFiles?: readonly SoulseekFile[];
}

export interface WantedSong {
  title: string;
  artists: readonly string[];
  album?: string | null;
  /** Seconds; enables the duration and size checks. */
  durationSec?: number | null;
}

export interface Candidate extends SoulseekFile {
  username: string;
  hasFreeUploadSlot: boolean;
  queueLength: number;
  uploadSpeed: number;
}

export interface RankedCandidate {
  candidate: Candidate;
  score: number;
  /** Why the score is what it is, in order of the rules ("flac (lossless) +40", …). */
  reasons: string[];
}

export interface ExcludedCandidate {
  candidate: Candidate;
  reason: string;
}

export interface RankResult {
  /** Best first. */
  ranked: RankedCandidate[];
  excluded: ExcludedCandidate[];
}

export interface RankOptions {
  /** How many ranked candidates to return (default 5). */
  limit?: number;
  /** A file whose length differs from the song's by more than this is another version (default 10 s). */
  maxDurationDiffSec?: number;
  /** Formats never accepted (lower-case extensions), e.g. ['wav'] to avoid huge files. */
  excludeFormats?: readonly string[];
}

const AUDIO_EXTENSIONS = new Set(['flac', 'alac', 'wav', 'aiff', 'aif', 'ape', 'wv', 'mp3', 'm4a', 'aac', 'ogg', 'oga', 'opus', 'wma']);
const LOSSLESS = new Set(['flac', 'alac', 'wav', 'aiff', 'aif', 'ape', 'wv']);

/** Lower-case, accents and punctuation removed, words split. */
export function tokens(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/** The title without "(feat. …)", "[Remastered]" and " - 2011 Remaster": the words a file name must carry. */
function coreTitle(title: string): string {
  const stripped = title
    .replace(/\s*[([][^)\]]*[)\]]/g, ' ')
    .replace(/\s+-\s+.*(remaster|version|edit|mix|live|mono|stereo).*$/i, ' ')
    .trim();
  return stripped.length > 0 ? stripped : title;
}

/** The file's extension: slskd's `extension` field is often empty, the filename is not. */
export function extensionOf(file: Pick<SoulseekFile, 'filename' | 'extension'>): string {
  const ext = file.extension?.replace(/^\./, '').toLowerCase();
  if (ext) return ext;
  const m = /\.([a-z0-9]{1,5})$/i.exec(file.filename);
  return m?.[1]?.toLowerCase() ?? '';
}

/** kbit/s: the reported bit rate, else estimated from size and length; null when neither is known. */
export function effectiveBitRate(file: SoulseekFile): number | null {
  if (file.bitRate != null && file.bitRate > 0) return file.bitRate;
  if (file.length != null && file.length > 0 && file.size > 0) return Math.round((file.size * 8) / file.length / 1000);
  return null;
}

/** Points for the format and quality, with the reason. */
function formatScore(ext: string, kbps: number | null, file: SoulseekFile): [number, string] {
  if (LOSSLESS.has(ext)) {
    const hiRes = (file.bitDepth ?? 16) > 16 || (file.sampleRate ?? 44_100) > 48_000;
    // flac first: wav/aiff carry no tags and are twice the size
    const base = ext === 'flac' || ext === 'alac' ? 40 : 30;
    return [base + (hiRes ? 2 : 0), `${ext} (lossless${hiRes ? ', hi-res' : ''}) +${base + (hiRes ? 2 : 0)}`];
  }
  const r = kbps ?? 0;
  const label = kbps == null ? `${ext} (bit rate unknown)` : `${ext} ${kbps} kbps`;
  let points: number;
  if (ext === 'mp3') points = r >= 315 ? 34 : r >= 250 ? 28 : r >= 190 ? 18 : r >= 160 ? 12 : r >= 128 ? 8 : 0;
  else if (ext === 'm4a' || ext === 'aac' || ext === 'ogg' || ext === 'oga' || ext === 'opus') points = r >= 250 ? 27 : r >= 190 ? 20 : r >= 128 ? 12 : 2;
  else points = 0; // wma and the like
  if (kbps == null) points = Math.min(points, 4);
  return [points, `${label} +${points}`];
}

/** The reason a file cannot be the song, or null. */
function exclusion(song: WantedSong, c: Candidate, ext: string, kbps: number | null, o: RankOptions): string | null {
  if (c.isLocked) return 'locked (the user shares it only with friends)';
  if (!AUDIO_EXTENSIONS.has(ext)) return `not an audio file (${ext || 'no extension'})`;
  if (o.excludeFormats?.includes(ext)) return `format ${ext} excluded`;
  if (c.size <= 0) return 'empty file';
  const path = new Set(tokens(c.filename));
  const missing = tokens(coreTitle(song.title)).filter((t) => !path.has(t));
  if (missing.length > 0) return `title words missing from the path: ${missing.join(', ')}`;
  const dur = song.durationSec;
  if (dur != null && dur > 0) {
    if (c.length != null && c.length > 0 && Math.abs(c.length - dur) > (o.maxDurationDiffSec ?? 10)) {
      return `length ${c.length} s differs from ${Math.round(dur)} s`;
    }
    // a file too small for the song's length is a preview, a cut or a fake bit rate
    const minKbps = LOSSLESS.has(ext) ? 300 : Math.max(48, (c.bitRate ?? 128) * 0.6);
    const minBytes = (dur * minKbps * 1000) / 8;
    if (c.size < minBytes) return `${c.size} bytes is too small for ${Math.round(dur)} s of ${ext}`;
    const maxBytes = dur * 1_200_000; // 24-bit / 192 kHz stereo flac is ~1.2 MB/s at most
    if (c.size > maxBytes) return `${c.size} bytes is too large for ${Math.round(dur)} s`;
  }
  if (!LOSSLESS.has(ext) && kbps != null && kbps < 96) return `bit rate ${kbps} kbps is too low`;
  return null;
}

/** Scores one file that passed the exclusions. */
function score(song: WantedSong, c: Candidate, ext: string, kbps: number | null): RankedCandidate {
  const reasons: string[] = [];
  let total = 0;
  const add = (points: number, reason: string): void => {
    total += points;
    reasons.push(reason);
  };
  const [fmt, fmtReason] = formatScore(ext, kbps, c);
  add(fmt, fmtReason);

  const path = new Set(tokens(c.filename));
  const artistTokens = [...new Set(song.artists.flatMap(tokens))];
  if (artistTokens.length > 0) {
    const found = artistTokens.filter((t) => path.has(t)).length / artistTokens.length;
    if (found === 0) add(-15, 'artist not in the path -15');
    else add(Math.round(20 * found), `artist in the path (${Math.round(found * 100)}%) +${Math.round(20 * found)}`);
  }
  if (song.album) {
    const albumTokens = tokens(song.album);
    if (albumTokens.length > 0 && albumTokens.every((t) => path.has(t))) add(5, 'album in the path +5');
  }
  // words in the file name beyond title and artist: "live", "remix", "karaoke" … are other versions
  const wanted = new Set([...tokens(song.title), ...artistTokens]);
  const versionWords = ['live', 'remix', 'karaoke', 'instrumental', 'acoustic', 'demo', 'cover', 'edit'];
  const extra = versionWords.filter((w) => path.has(w) && !wanted.has(w));
  if (extra.length > 0) add(-10 * extra.length, `other version (${extra.join(', ')}) -${10 * extra.length}`);

  if (song.durationSec != null && c.length != null && c.length > 0) {
    const diff = Math.abs(c.length - song.durationSec);
    if (diff <= 2) add(5, 'length matches +5');
  }

  if (c.hasFreeUploadSlot) add(15, 'free upload slot +15');
  else add(-5, 'no free upload slot -5');
  if (c.queueLength > 0) {
    const p = Math.min(15, Math.round(3 * Math.log2(1 + c.queueLength)));
    add(-p, `queue of ${c.queueLength} -${p}`);
  }
  const speedPoints = Math.round(10 * Math.min(1, Math.max(0, c.uploadSpeed) / 1_000_000));
  if (speedPoints > 0) add(speedPoints, `upload speed ${Math.round(c.uploadSpeed / 1000)} kB/s +${speedPoints}`);
  return { candidate: c, score: total, reasons };
}

/** Best first; ties go to a free slot, a shorter queue, a faster peer, then name order (stable). */
function compare(a: RankedCandidate, b: RankedCandidate): number {
  return (
    b.score - a.score ||
    Number(b.candidate.hasFreeUploadSlot) - Number(a.candidate.hasFreeUploadSlot) ||
    a.candidate.queueLength - b.candidate.queueLength ||
    b.candidate.uploadSpeed - a.candidate.uploadSpeed ||
    a.candidate.username.localeCompare(b.candidate.username) ||
    a.candidate.filename.localeCompare(b.candidate.filename)
  );
}

/** Every file of every response, with its user's slot, queue and speed. */
export function candidatesOf(responses: readonly SoulseekResponse[]): Candidate[] {
  return responses.flatMap((r) =>
    [...r.files, ...(r.lockedFiles ?? []).map((f) => ({ ...f, isLocked: true }))].map((f) => ({
      ...f,
      username: r.username,
      hasFreeUploadSlot: r.hasFreeUploadSlot,
      queueLength: r.queueLength,
      uploadSpeed: r.uploadSpeed,
    })),
  );
}

/** Ranks the files of a search for `song`: the best `limit` with reasons, and why the others were left out. */
export function rankCandidates(song: WantedSong, responses: readonly SoulseekResponse[], o: RankOptions = {}): RankResult {
  const ranked: RankedCandidate[] = [];
  const excluded: ExcludedCandidate[] = [];
  for (const c of candidatesOf(responses)) {
    const ext = extensionOf(c);
    const kbps = LOSSLESS.has(ext) ? null : effectiveBitRate(c);
    const why = exclusion(song, c, ext, kbps, o);
    if (why) excluded.push({ candidate: c, reason: why });
    else ranked.push(score(song, c, ext, kbps));
  }
  ranked.sort(compare);
  return { ranked: ranked.slice(0, o.limit ?? 5), excluded };
}

// ---------------------------------------------------------------------------------------------
// Transfer states

/** Soulseek.NET's TransferStates flags, as slskd writes them ("Completed, Succeeded"). */
export const TRANSFER_STATE_FLAGS = [
  'None',
  'Requested',
  'Queued',
  'Initializing',
  'InProgress',
  'Completed',
  'Succeeded',
  'Cancelled',
  'TimedOut',
  'Errored',
  'Rejected',
  'Aborted',
  'Locally',
  'Remotely',
] as const;
export type TransferStateFlag = (typeof TRANSFER_STATE_FLAGS)[number];

/** Failure codes of a Soulseek transfer, in the vocabulary the retry scheduler reads. */
export const SOULSEEK_FAILURE_CODES = [
  /** The peer rejected us (banned, blocked, or any other refusal): not retried. */
  'user_blocked',
  /** The peer does not share the file (any more): not retried. */
  'file_not_found',
  /** Errored, aborted, or the peer's queue is full: retried. */
  'transfer_error',
  /** The peer did not answer in time: retried. */
  'transfer_timeout',
  /** Cancelled in slskd (by a person or by slskd): retried. */
  'transfer_canceled',
] as const;
export type SoulseekFailureCode = (typeof SOULSEEK_FAILURE_CODES)[number];

export type TransferPhase = 'requested' | 'queued' | 'in_progress' | 'succeeded' | 'failed' | 'unknown';

export interface TransferOutcome {
  phase: TransferPhase;
  /** The transfer will not change any more. */
  done: boolean;
  /** For `failed`: the code stored on the item. */
  errorCode: SoulseekFailureCode | null;
  retryable: boolean;
  /** Queued where: on our side (slskd's own limits) or at the peer. */
  queuedAt?: 'locally' | 'remotely';
  /** Human text: the state plus slskd's exception message when there is one. */
  reason: string;
}

/** "Completed, Succeeded" → {'Completed','Succeeded'}; unknown words are kept (a newer slskd). */
export function parseTransferState(state: string): Set<string> {
  return new Set(
    state
      .split(/[,|]/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
}

/** Rejection reasons (the peer's own words, in slskd's `exception`) that mean "not shared". */
const NOT_SHARED = /not shared|file not found|no such file|not available/i;
/** Rejections for a full queue: the peer would take the file later. */
const QUEUE_FULL = /too many (files|megabytes)|queue (is )?full|pending shutdown/i;

/**
 * What a slskd transfer state means for Roadie. `exception` is slskd's Transfer.exception text
 * ("Transfer rejected: File not shared.", …) and refines Rejected and Errored.
 */
export function transferOutcome(state: string, exception?: string | null): TransferOutcome {
  const f = parseTransferState(state);
  const reason = exception ? `${state}: ${exception}` : state;
  const failed = (errorCode: SoulseekFailureCode): TransferOutcome => ({ phase: 'failed', done: true, errorCode, retryable: isRetryable(errorCode), reason });
  if (f.has('Completed')) {
    if (f.has('Succeeded')) return { phase: 'succeeded', done: true, errorCode: null, retryable: false, reason };
    const text = exception ?? '';
    if (f.has('Rejected')) {
      if (NOT_SHARED.test(text)) return failed('file_not_found');
      if (QUEUE_FULL.test(text)) return failed('transfer_error');
      return failed('user_blocked');
    }
    if (f.has('TimedOut')) return failed('transfer_timeout');
    if (f.has('Cancelled')) return failed('transfer_canceled');
    if (f.has('Errored') && NOT_SHARED.test(text)) return failed('file_not_found');
    return failed('transfer_error'); // Errored, Aborted, or Completed alone (slskd guards against that "malfunction" too)
  }
  if (f.has('InProgress') || f.has('Initializing')) return { phase: 'in_progress', done: false, errorCode: null, retryable: false, reason };
  if (f.has('Queued')) {
    const queuedAt = f.has('Remotely') ? 'remotely' : f.has('Locally') ? 'locally' : undefined;
    return { phase: 'queued', done: false, errorCode: null, retryable: false, ...(queuedAt ? { queuedAt } : {}), reason };
  }
  if (f.has('Requested') || f.has('None')) return { phase: 'requested', done: false, errorCode: null, retryable: false, reason };
  return { phase: 'unknown', done: false, errorCode: null, retryable: false, reason };
}
