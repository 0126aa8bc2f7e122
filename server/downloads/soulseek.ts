import fs from 'node:fs/promises';
import path from 'node:path';
import type { SoulseekRepository } from '../db/repositories/soulseek.repository.js';
import { rankCandidates, tokens, type Candidate, type TransferOutcome } from '../domain/soulseek/ranking.js';
import { walkFiles } from '../integrations/file-walk.js';
import { SlskdError, type SlskdClient, type TransferSnapshot } from '../integrations/slskd.js';
import { copyVerified } from '../library/copy.js';
import type { ItemContext } from '../runner/executor.js';

/** Soulseek as a download backend: slskd's API and the folder slskd files finished downloads in. */
export interface SoulseekBackend {
  readonly client: SlskdClient;
  readonly transfers: SoulseekRepository;
  /** slskd's downloads directory, as Roadie sees it (ROADIE_SLSKD_DOWNLOADS_DIR). */
  readonly downloadsDir: string;
  /** How long one search may collect answers (default 30 s). */
  readonly searchDeadlineMs?: number;
}

/** A song to find on Soulseek. */
export interface SoulseekSong {
  readonly songId: number;
  readonly title: string;
  readonly artist: string | null;
  readonly album: string | null;
  readonly durationSec: number | null;
}

/**
 * Why fetching from Soulseek failed, as the item's error code: the transfer's own codes
 * (user_blocked and file_not_found are not retried), no_candidates (nothing acceptable was
 * found; a later search may find one), or slskd_<code> when slskd itself did not answer well.
 */
export class SoulseekFetchError extends Error {
  override name = 'SoulseekFetchError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a slskd snapshot says of a transfer, as SoulseekRepository.progressed stores it. */
export function progressOf(s: TransferSnapshot): { transferId: string; state: string; bytesTransferred: number; averageSpeed: number; errorCode: string | null; error: string | null } {
  const failed = s.outcome.phase === 'failed';
  return {
    transferId: s.id,
    state: s.state,
    bytesTransferred: s.bytesTransferred,
    averageSpeed: s.averageSpeed,
    errorCode: failed ? s.outcome.errorCode : null,
    error: failed ? s.outcome.reason : null,
  };
}

/** What Soulseek users search for: artist and title words (no brackets, no punctuation). */
export function searchTextOf(song: Pick<SoulseekSong, 'title' | 'artist'>): string {
  const title = song.title.replace(/\s*[([][^)\]]*[)\]]/g, ' ');
  const artist = (song.artist ?? '').split(/,\s*/)[0] ?? '';
  return [...tokens(artist), ...tokens(title)].join(' ');
}

/**
 * Where slskd put a finished download: `<downloads>/<the peer's folder name>/<file name>`,
 * else the file name at the top, else the first file of that name and size anywhere below.
 */
export async function locateDownload(downloadsDir: string, remote: string, size: number, signal?: AbortSignal): Promise<string | null> {
  const parts = remote.split(/[\\/]/).filter(Boolean);
  const base = parts.at(-1) ?? remote;
  const folder = parts.at(-2);
  const sized = async (p: string): Promise<boolean> => (await fs.stat(p).catch(() => null))?.size === size;
  for (const p of [folder ? path.join(downloadsDir, folder, base) : null, path.join(downloadsDir, base)]) {
    if (p && (await sized(p))) return p;
  }
  for await (const f of walkFiles(downloadsDir, signal)) {
    if (path.basename(f.path) === base && f.size === size) return f.path;
  }
  return null;
}

const slskdFailure = (err: unknown, what: string): never => {
  if (err instanceof SlskdError && err.code !== 'aborted') throw new SoulseekFetchError(`slskd_${err.code}`, `${what}: ${err.message}`);
  throw err;
};

/**
 * Fetches a song through slskd into `destBase` plus the file's extension: searches, ranks the answers (server/domain/soulseek/ranking.ts),
 * enqueues the best file, follows the transfer (its bytes go to the item's progress, so the
 * download speed shows them), then copies the finished file from slskd's downloads folder.
 * The chosen transfer is stored per song: a retry or a restart follows it instead of queueing
 * another, and a failed one is replaced by the next search (without the peer that failed).
 */
export async function fetchFromSoulseek(
  b: SoulseekBackend,
  ctx: Pick<ItemContext, 'signal' | 'progress'>,
  song: SoulseekSong,
  destBase: string,
  o: { accept?: (c: Candidate) => boolean } = {},
): Promise<{ file: string; sha256: string; bytes: number }> {
  let chosen = await b.transfers.get(song.songId);
  let snapshot: TransferSnapshot | null = null;
  if (chosen && chosen.errorCode === null) {
    snapshot = await b.client.transfer(chosen.username, chosen.filename, { ...(chosen.transferId ? { id: chosen.transferId } : {}), signal: ctx.signal }).catch((e: unknown) => slskdFailure(e, 'slskd'));
    if (!snapshot || (snapshot.outcome.done && snapshot.outcome.phase !== 'succeeded')) chosen = null; // slskd forgot it, or it failed meanwhile
  }
  if (!chosen || chosen.errorCode !== null) {
    const avoid = chosen?.username ?? null;
    const text = searchTextOf(song);
    const { responses } = await b.client.search(text, { deadlineMs: b.searchDeadlineMs ?? 30_000, signal: ctx.signal }).catch((e: unknown) => slskdFailure(e, `search "${text}"`));
    const { ranked, excluded } = rankCandidates(
      { title: song.title, artists: (song.artist ?? '').split(/,\s*/).filter(Boolean), album: song.album, durationSec: song.durationSec },
      responses.filter((r) => r.username !== avoid),
    );
    const best = ranked.find((r) => o.accept?.(r.candidate) ?? true)?.candidate;
    if (!best) {
      const why = excluded.length ? `; ${excluded.length} files refused, e.g. ${excluded[0]?.reason}` : '';
      throw new SoulseekFetchError('no_candidates', `no acceptable file for "${text}" among ${responses.length} answers${why}`);
    }
    const r = await b.client.enqueue(best.username, [{ filename: best.filename, size: best.size }], ctx.signal).catch((e: unknown) => slskdFailure(e, `enqueue ${best.filename}`));
    const queued = r.enqueued[0];
    if (!queued) throw new SoulseekFetchError('transfer_error', `slskd did not enqueue ${best.filename} from ${best.username}: ${JSON.stringify(r.failed[0] ?? null)}`);
    chosen = {
      songId: song.songId,
      username: best.username,
      filename: best.filename,
      size: best.size,
      transferId: queued.id,
      state: queued.state,
      bytesTransferred: 0,
      averageSpeed: 0,
      errorCode: null,
      error: null,
      updatedAt: new Date(),
    };
    await b.transfers.chose(chosen);
  }

  const { username, filename, size } = chosen;
  const follow = b.client.waitForTransfer(username, filename, { ...(chosen.transferId ? { id: chosen.transferId } : {}), signal: ctx.signal });
  let final: TransferSnapshot;
  try {
    for (;;) {
      const step = await follow.next();
      const s = step.value;
      await b.transfers.progressed(song.songId, filename, progressOf(s));
      ctx.progress({ bytes: s.bytesTransferred, totalBytes: s.size });
      if (step.done || s.outcome.done) {
        final = s;
        break;
      }
    }
  } catch (err) {
    if (ctx.signal.aborted && ctx.signal.reason === 'cancel') {
      // cancelled in the task center: slskd stops the transfer too (a pause keeps it for the resume)
      const id = chosen.transferId;
      if (id) await b.client.cancelDownload(username, id, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      await b.transfers.done(song.songId);
    }
    return slskdFailure(err, `following ${filename} from ${username}`);
  }
  if (final.outcome.phase !== 'succeeded') throw failureOf(final.outcome, username, filename);

  const file = await locateDownload(b.downloadsDir, filename, size, ctx.signal);
  if (!file) {
    throw new SoulseekFetchError('transfer_error', `slskd finished ${filename} from ${username}, but no file of ${size} bytes by that name is in ${b.downloadsDir} (ROADIE_SLSKD_DOWNLOADS_DIR)`);
  }
  const dest = `${destBase}${path.extname(filename.replace(/\\/g, '/')).toLowerCase()}`;
  const copy = await copyVerified(file, dest, {
    signal: ctx.signal,
    accept: (c) => (c.bytes === size ? null : new SoulseekFetchError('size_mismatch', `${file}: ${c.bytes} bytes, slskd announced ${size}`)),
  });
  return { file: dest, sha256: copy.sha256, bytes: size };
}

function failureOf(o: TransferOutcome, username: string, filename: string): SoulseekFetchError {
  return new SoulseekFetchError(o.errorCode ?? 'transfer_error', `${filename} from ${username}: ${o.reason}`);
}
