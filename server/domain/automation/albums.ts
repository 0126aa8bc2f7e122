/**
 * Comparing names across services and the library: Spotify's artist, MusicBrainz's, and the
 * tags of filed songs spell the same thing differently. Pure.
 */
import type { ReleaseGroupLike } from '../musicbrainz/releases.js';

/** Lower case, no accents, "&" as "and", punctuation as spaces, one space between words. */
export function nameKey(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** An album title without edition notes: "Blue (Deluxe Edition) [2011 Remaster]" is "blue". */
export function albumKey(title: string): string {
  return nameKey(title.replace(/\s*[([][^)\]]*[)\]]/g, ' ').replace(/\s+-\s+.*(edition|remaster|version|deluxe).*$/i, ' ')) || nameKey(title);
}

/** Whether a song's artist tag names this artist (alone or among several: "A, B", "A feat. B", "A & B"). */
export function artistMatches(tag: string | null, artist: string): boolean {
  if (!tag) return false;
  const want = nameKey(artist);
  if (nameKey(tag) === want) return true;
  return tag
    .split(/\s*(?:,|;|\/|&|\bfeat\.?|\bft\.?|\bwith\b|\band\b)\s*/i)
    .some((part) => part.trim() !== '' && nameKey(part) === want);
}

/**
 * The release groups (albums and EPs, as the caller browsed them) of an artist that the library
 * has no song of: no filed song by the artist carries the album's title (edition notes aside).
 */
export function albumsMissing<T extends ReleaseGroupLike>(groups: readonly T[], artist: string, library: readonly { artist: string | null; album: string | null }[]): T[] {
  const have = new Set(library.filter((s) => s.album && artistMatches(s.artist, artist)).map((s) => albumKey(s.album as string)));
  const seen = new Set<string>();
  return groups.filter((g) => {
    const key = albumKey(g.title);
    if (have.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
