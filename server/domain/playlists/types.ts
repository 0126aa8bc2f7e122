/**
 * Playlist files Roadie reads (playlist sources, watched folders): the formats, what a parsed
 * file yields, and how a parse fails. The parsers are pure: the caller reads the file or URL.
 */

/** Formats by their usual extension; M3U8 is M3U in UTF-8 and parses alike. */
export const PLAYLIST_FORMATS = ['m3u', 'm3u8', 'pls', 'xspf', 'json'] as const;
export type PlaylistFormat = (typeof PLAYLIST_FORMATS)[number];

/** The extensions (lower case, with the dot) a folder watcher picks up: one per format. */
export const PLAYLIST_EXTENSIONS: readonly string[] = PLAYLIST_FORMATS.map((f) => `.${f}`);

export const isPlaylistFormat = (s: string): s is PlaylistFormat => (PLAYLIST_FORMATS as readonly string[]).includes(s);

/** Where the text came from: relative entries resolve against it, and its extension names the format. */
export interface PlaylistSource {
  /** An absolute path or an absolute URL (http(s), file) of the playlist itself. */
  readonly location: string;
  /** Overrides detection (extension, then content) when the caller knows better, e.g. from a Content-Type. */
  readonly format?: PlaylistFormat;
}

/** One track as the playlist names it; matching it to a song in the library comes later. */
export interface PlaylistEntry {
  /** 0-based, in file order (PLS: by entry number). */
  readonly position: number;
  /** An absolute URL or absolute path: a relative one is resolved against the playlist's own location. */
  readonly location: string;
  readonly title: string | null;
  readonly artist: string | null;
  readonly album: string | null;
  /** Seconds; null when unknown (M3U and PLS write -1 for that). */
  readonly durationSec: number | null;
  readonly trackNumber: number | null;
  /** Only Roadie JSON carries size and hash: they let a download be verified. */
  readonly sizeBytes: number | null;
  /** Lower-case hex. */
  readonly sha256: string | null;
}

export interface ParsedPlaylist {
  /** The format the text was parsed as (given, or detected). */
  readonly format: PlaylistFormat;
  /** The name the file gives itself; null when it has none (the caller names it after the file). */
  readonly name: string | null;
  readonly description: string | null;
  readonly entries: readonly PlaylistEntry[];
}

/**
 * Why nothing was imported: the text is broken (`malformed`), is no playlist Roadie reads
 * (`unsupported_format`), or has no content at all (`empty`; a well-formed playlist without tracks is fine).
 */
export const PLAYLIST_ERROR_CODES = ['malformed', 'unsupported_format', 'empty'] as const;
export type PlaylistErrorCode = (typeof PLAYLIST_ERROR_CODES)[number];

export interface PlaylistParseError {
  readonly code: PlaylistErrorCode;
  /** Names the place: "line 7: …" (M3U, PLS), "line 3, column 5: …" or "trackList/track[2]: …" (XSPF), "tracks[3].location: …" (JSON). */
  readonly message: string;
}

/** All or nothing: a parse that fails yields no entries at all. */
export type PlaylistParseResult =
  | { readonly ok: true; readonly playlist: ParsedPlaylist }
  | { readonly ok: false; readonly error: PlaylistParseError };
