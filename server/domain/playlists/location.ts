import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fail } from './common.js';

/** What relative entries resolve against: the playlist's URL, or the folder of a playlist file. */
export type LocationBase = { readonly url: URL } | { readonly dir: string };

/** A scheme of two letters or more, so that "C:\Music" is a Windows drive, not a URL. */
export const isUrl = (s: string): boolean => /^[a-z][a-z\d+.-]+:/i.test(s);

/** Drive-letter and UNC paths: absolute on the machine that wrote the playlist, never relative here. */
const WINDOWS_ABSOLUTE = /^(?:[a-z]:[\\/]|\\\\)/i;

/** file: URLs become paths, so a local track has one spelling whatever the playlist wrote. */
const fromUrl = (url: URL): string => (url.protocol === 'file:' ? fileURLToPath(url) : url.href);

/** The base of a source; a relative source location is the caller's mistake (it would resolve against the cwd). */
export function locationBase(location: string): LocationBase {
  if (isUrl(location)) {
    const url = new URL(location);
    return url.protocol === 'file:' ? { dir: path.dirname(fileURLToPath(url)) } : { url };
  }
  if (!path.isAbsolute(location)) throw new TypeError(`playlist source location must be an absolute path or URL, got "${location}"`);
  return { dir: path.dirname(location) };
}

/**
 * An entry's location made absolute, or null when it is empty or cannot be resolved.
 * `path` entries (M3U, PLS, JSON) are file names as written: "%20" stays literal, and the
 * backslashes of a playlist written on Windows become slashes. `uri` entries (XSPF) are URI
 * references: relative ones resolve as URLs, and a local result is percent-decoded to a path.
 */
export function resolveLocation(raw: string, base: LocationBase, kind: 'path' | 'uri'): string | null {
  const loc = raw.trim();
  if (loc === '') return null;
  if (WINDOWS_ABSOLUTE.test(loc)) return loc;
  const relative = kind === 'path' ? loc.replaceAll('\\', '/') : loc;
  try {
    if (isUrl(loc)) return fromUrl(new URL(loc));
    if ('url' in base) return fromUrl(new URL(relative, base.url));
    if (kind === 'uri') return fromUrl(new URL(relative, pathToFileURL(`${base.dir}/`)));
    return path.resolve(base.dir, relative);
  } catch {
    return null;
  }
}

/** resolveLocation, failing the parse with `at` (a line or element) named. */
export function resolveOrFail(raw: string, base: LocationBase, kind: 'path' | 'uri', at: string): string {
  if (raw.trim() === '') fail(`${at}: location is empty`);
  return resolveLocation(raw, base, kind) ?? fail(`${at}: cannot resolve location "${raw.trim()}"`);
}
