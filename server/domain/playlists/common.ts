import type { ParsedPlaylist, PlaylistEntry, PlaylistErrorCode } from './types.js';

/** What a format parser returns; parsePlaylist adds the format. */
export type PlaylistBody = Omit<ParsedPlaylist, 'format'>;

/**
 * Thrown by the format parsers on the first problem, caught by parsePlaylist only: parsing stops
 * there, so a broken file never yields half its entries.
 */
export class PlaylistError extends Error {
  constructor(
    readonly code: PlaylistErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function fail(message: string, code: PlaylistErrorCode = 'malformed'): never {
  throw new PlaylistError(code, message);
}

/** The text's lines, whatever the line endings (CRLF from Windows, LF, old Mac CR). */
export const splitLines = (text: string): string[] => text.split(/\r\n|\r|\n/);

/** A duration in seconds, or null: players write -1 (sometimes 0) for "unknown". */
export const seconds = (n: number): number | null => (Number.isFinite(n) && n > 0 ? n : null);

/**
 * "Artist - Title", as Winamp and most players write #EXTINF and PLS titles. Only the first
 * " - " splits ("AC/DC - Back in Black - Live" keeps "Back in Black - Live"); a title without
 * one stays whole, with no artist.
 */
export function splitArtistTitle(text: string): { artist: string | null; title: string | null } {
  const whole = text.trim();
  const at = whole.indexOf(' - ');
  if (at <= 0) return { artist: null, title: whole || null };
  return { artist: whole.slice(0, at).trim(), title: whole.slice(at + 3).trim() || null };
}

type EntryFields = { readonly [K in Exclude<keyof PlaylistEntry, 'position' | 'location'>]?: PlaylistEntry[K] | undefined };

/** An entry with every field the format did not give set to null. */
export function entry(position: number, location: string, fields: EntryFields = {}): PlaylistEntry {
  return {
    position,
    location,
    title: fields.title ?? null,
    artist: fields.artist ?? null,
    album: fields.album ?? null,
    durationSec: fields.durationSec ?? null,
    trackNumber: fields.trackNumber ?? null,
    sizeBytes: fields.sizeBytes ?? null,
    sha256: fields.sha256 ?? null,
  };
}
