import { entry, fail, seconds, splitArtistTitle, splitLines, type PlaylistBody } from './common.js';
import { resolveOrFail, type LocationBase } from './location.js';
import type { PlaylistEntry } from './types.js';

/** "#EXTINF:duration[ key="value" …],title": IPTV lists put attributes before the comma. */
const EXTINF = /^(-?\d+(?:\.\d+)?)(?:\s[^,]*)?,(.*)$/;

/** Tags that describe the next location line, collected until it comes. */
interface Pending {
  /** The line of the first tag, named when no location follows. */
  readonly line: number;
  readonly tag: string;
  extinf?: { line: number; durationSec: number | null; title: string };
  artist?: string;
  album?: string;
}

/**
 * M3U and M3U8: one location a line, each optionally preceded by #EXTINF (duration, title),
 * #EXTART and #EXTALB; #PLAYLIST names the list. A header (#EXTM3U) is optional, since plain
 * lists of paths are M3U too. Other # lines are comments, blank lines are skipped.
 * HLS stream playlists (#EXT-X-…) list media segments, not tracks, and are refused.
 */
export function parseM3u(text: string, base: LocationBase): PlaylistBody {
  let name: string | null = null;
  const entries: PlaylistEntry[] = [];
  let pending: Pending | null = null;

  for (const [index, raw] of splitLines(text).entries()) {
    const line = raw.trim();
    const n = index + 1;
    if (line === '') continue;
    if (!line.startsWith('#')) {
      const location = resolveOrFail(line, base, 'path', `line ${n}`);
      const named = pending?.artist ? { artist: pending.artist, title: pending.extinf?.title.trim() || null } : splitArtistTitle(pending?.extinf?.title ?? '');
      entries.push(entry(entries.length, location, { ...named, album: pending?.album, durationSec: pending?.extinf?.durationSec }));
      pending = null;
      continue;
    }
    const colon = line.indexOf(':');
    const tag = (colon < 0 ? line : line.slice(0, colon)).toUpperCase();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (tag.startsWith('#EXT-X-')) fail(`line ${n}: ${tag} marks an HLS stream playlist, not a list of tracks`, 'unsupported_format');
    if (tag === '#PLAYLIST') name = value || null;
    if (tag !== '#EXTINF' && tag !== '#EXTART' && tag !== '#EXTALB') continue;

    pending ??= { line: n, tag };
    if (tag === '#EXTINF') {
      if (pending.extinf) fail(`line ${pending.extinf.line}: #EXTINF has no location after it`);
      const match = EXTINF.exec(value) ?? fail(`line ${n}: #EXTINF must read "#EXTINF:seconds,title", got "${line}"`);
      pending.extinf = { line: n, durationSec: seconds(Number(match[1])), title: match[2] ?? '' };
    } else if (tag === '#EXTART') pending.artist = value || undefined;
    else pending.album = value || undefined;
  }
  if (pending) fail(`line ${pending.extinf?.line ?? pending.line}: ${pending.extinf ? '#EXTINF' : pending.tag} has no location after it`);
  return { name, description: null, entries };
}
