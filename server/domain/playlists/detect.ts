import path from 'node:path';
import { isUrl } from './location.js';
import { isPlaylistFormat, type PlaylistFormat, type PlaylistSource } from './types.js';

/** The format an extension names (".M3U8" → m3u8); a URL's query and fragment are not part of it. */
export function formatFromExtension(location: string): PlaylistFormat | null {
  let pathname = location;
  if (isUrl(location)) {
    try {
      pathname = new URL(location).pathname;
    } catch {
      return null;
    }
  }
  const ext = path.extname(pathname).slice(1).toLowerCase();
  return isPlaylistFormat(ext) ? ext : null;
}

/** The format the text itself announces; null when it announces none (a plain list of paths among them). */
export function formatFromContent(text: string): PlaylistFormat | null {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (/^#EXTM3U/i.test(head)) return 'm3u';
  if (/^\[playlist\]/i.test(head)) return 'pls';
  if (head.startsWith('<') && /<(?:[\w-]+:)?playlist[\s>/]/.test(head)) return 'xspf';
  if (head.startsWith('{')) return 'json';
  return null;
}

/** The given format, else the location's extension, else the content. */
export function detectFormat(text: string, source: PlaylistSource): PlaylistFormat | null {
  return source.format ?? formatFromExtension(source.location) ?? formatFromContent(text);
}
