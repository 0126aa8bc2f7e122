import { PlaylistError, type PlaylistBody } from './common.js';
import { detectFormat } from './detect.js';
import { parseRoadieJson } from './json.js';
import { locationBase, type LocationBase } from './location.js';
import { parseM3u } from './m3u.js';
import { parsePls } from './pls.js';
import { PLAYLIST_EXTENSIONS, type PlaylistErrorCode, type PlaylistFormat, type PlaylistParseResult, type PlaylistSource } from './types.js';
import { parseXspf } from './xspf.js';

export * from './types.js';
export { detectFormat, formatFromContent, formatFromExtension } from './detect.js';
export { roadiePlaylistSchema, type RoadiePlaylistJson } from './json.js';

const PARSERS: { readonly [F in PlaylistFormat]: (text: string, base: LocationBase) => PlaylistBody } = {
  m3u: parseM3u,
  m3u8: parseM3u,
  pls: parsePls,
  xspf: parseXspf,
  json: parseRoadieJson,
};

const failure = (code: PlaylistErrorCode, message: string): PlaylistParseResult => ({ ok: false, error: { code, message } });

/**
 * Parses a playlist file's text (the caller reads and decodes it) into entries with absolute
 * locations, or one error that names where the text went wrong. A UTF-8 byte-order mark is
 * skipped. Throws (TypeError) only when `source.location` is not absolute: that is a bug of
 * the caller, not of the file.
 */
export function parsePlaylist(text: string, source: PlaylistSource): PlaylistParseResult {
  const base = locationBase(source.location);
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return failure('empty', 'the file is empty');
  const format = detectFormat(body, source);
  if (format === null) {
    return failure('unsupported_format', `not a playlist Roadie reads: expected a ${PLAYLIST_EXTENSIONS.join(', ')} file or its header`);
  }
  try {
    // a well-formed playlist without tracks is a playlist (emptied on purpose: its songs go)
    return { ok: true, playlist: { format, ...PARSERS[format](body, base) } };
  } catch (e) {
    if (e instanceof PlaylistError) return failure(e.code, e.message);
    throw e;
  }
}
