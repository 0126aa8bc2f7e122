import fs from 'node:fs/promises';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import type { BackendRow, PlaylistRepository, UpgradeCandidate } from '../db/repositories/playlist.repository.js';
import { containerOfExtension, isUpgrade, sameLength } from '../domain/library/quality.js';
import { effectiveBitRate, extensionOf } from '../domain/soulseek/ranking.js';
import { fetchFromSoulseek, SoulseekFetchError, type SoulseekBackend } from '../downloads/soulseek.js';
import { sha256File } from '../integrations/library-files.js';

/** How long a file is left alone after a search found nothing better. */
export const RECHECK_AFTER_MS = 30 * 24 * 3600_000;

export type UpgradeOutcome =
  | { readonly kind: 'upgraded'; readonly from: string; readonly to: string }
  | { readonly kind: 'no_better'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly reason: string };

/** What the Quality Upgrade daemon uses. */
export interface QualityUpgradePort {
  /** Configuration still needed (variable names); empty when slskd can be searched. */
  missing(): readonly string[];
  readonly minKbps: number;
  candidates(limit: number): Promise<UpgradeCandidate[]>;
  upgrade(file: UpgradeCandidate, signal: AbortSignal): Promise<UpgradeOutcome>;
}

const label = (f: UpgradeCandidate): string => `${f.artist ?? 'Unknown artist'} – ${f.title ?? path.basename(f.relativePath)}`;

/**
 * Upgrades library files through Soulseek: searches for the song, takes the best-ranked file
 * that is better (server/domain/library/quality.ts), downloads it, and only after reading it
 * (audio, better quality, same length) puts it in the old file's place — same path with its own
 * extension — and updates the file's row (conditional on the old hash), then removes the old file.
 */
export function qualityUpgrade(d: {
  /** slskd for the current connection; null while it is not configured. */
  soulseek: () => SoulseekBackend | null;
  missing: () => readonly string[];
  playlists: PlaylistRepository;
  library: () => BackendRow;
  incomingDir: string;
  minKbps: number;
}): QualityUpgradePort {
  return {
    minKbps: d.minKbps,
    missing: () => d.missing(),
    candidates: (limit) => d.playlists.upgradeCandidates(d.library().id, d.minKbps, new Date(Date.now() - RECHECK_AFTER_MS), limit),
    async upgrade(f, signal) {
      const soulseek = d.soulseek();
      if (!soulseek) throw new Error('slskd is not configured');
      if (!f.title || f.songId === null) {
        await d.playlists.upgradeChecked(f.id);
        return { kind: 'no_better', reason: `${f.relativePath}: no song tags to search for` };
      }
      const current = { container: f.container, bitrateKbps: f.bitrateKbps };
      const song = { songId: f.songId, title: f.title, artist: f.artist, album: f.album, durationSec: f.durationSec };
      await fs.mkdir(d.incomingDir, { recursive: true });
      let got;
      try {
        got = await fetchFromSoulseek(soulseek, { signal, progress: () => undefined }, song, path.join(d.incomingDir, `upgrade-${f.id}`), {
          accept: (c) => isUpgrade(current, { container: containerOfExtension(extensionOf(c)), bitrateKbps: effectiveBitRate(c) }, d.minKbps),
        });
      } catch (err) {
        if (signal.aborted) throw err;
        await d.playlists.upgradeChecked(f.id);
        if (err instanceof SoulseekFetchError && err.code === 'no_candidates') return { kind: 'no_better', reason: err.message };
        await soulseek.transfers.done(f.songId);
        return { kind: 'rejected', reason: err instanceof Error ? err.message : String(err) };
      }
      try {
        // verified before anything in the library changes
        let meta;
        try {
          meta = await parseFile(got.file, { duration: true, skipCovers: true });
        } catch (err) {
          return await reject(`${got.file}: not audio (${err instanceof Error ? err.message : String(err)})`);
        }
        const found = { container: meta.format.container ?? null, bitrateKbps: meta.format.bitrate ? Math.round(meta.format.bitrate / 1000) : null };
        if (!isUpgrade(current, found, d.minKbps)) return await reject(`the file found is ${found.container ?? 'unknown'} ${found.bitrateKbps ?? '?'} kbps: no better`);
        const length = meta.format.duration ?? null;
        if (!sameLength(f.durationSec, length)) return await reject(`the file found lasts ${length?.toFixed(1) ?? '?'} s, the library's ${f.durationSec?.toFixed(1) ?? '?'} s`);

        const root = d.library().root;
        const ext = path.extname(got.file);
        const newRel = f.relativePath.slice(0, f.relativePath.length - path.extname(f.relativePath).length) + ext;
        const target = path.join(root, newRel);
        const staged = `${target}.upgrade`;
        await fs.copyFile(got.file, staged);
        const sha256 = await sha256File(staged);
        const { size } = await fs.stat(staged);
        // the row first (only if it still describes the old file), then the file takes its place
        const stored = await d.playlists.replaceLocalFile(f.id, f.sha256, { relativePath: newRel, sizeBytes: size, sha256, container: found.container, bitrateKbps: found.bitrateKbps, durationSec: length });
        if (!stored) {
          await fs.rm(staged, { force: true });
          return { kind: 'rejected', reason: `${f.relativePath} changed meanwhile; left as it is` };
        }
        await fs.rename(staged, target);
        if (newRel !== f.relativePath) await fs.rm(path.join(root, f.relativePath), { force: true });
        await soulseek.transfers.done(f.songId);
        return { kind: 'upgraded', from: `${f.container} ${f.bitrateKbps ?? '?'} kbps`, to: `${found.container} ${found.bitrateKbps ?? '?'} kbps` };
      } finally {
        await fs.rm(got.file, { force: true });
      }

      async function reject(reason: string): Promise<UpgradeOutcome> {
        await d.playlists.upgradeChecked(f.id);
        await soulseek!.transfers.done(f.songId!);
        return { kind: 'rejected', reason: `${label(f)}: ${reason}` };
      }
    },
  };
}
