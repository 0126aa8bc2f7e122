/** The tags a library path is made of; missing ones get a placeholder. */
export interface TrackTags {
  readonly artist: string | null;
  readonly album: string | null;
  readonly title: string | null;
  readonly trackNumber: number | null;
}

/** Longest folder or file name part kept, in characters (file systems allow 255 bytes; UTF-8 may need 4 a character). */
const MAX_PART = 60;

/**
 * One path segment from a tag: characters that are not allowed (or mean something) in file
 * names on Linux, macOS or Windows become "_", runs of space collapse, leading and trailing dots
 * and spaces go (Windows drops them; a leading dot hides a file), and it is cut to MAX_PART.
 */
export function safeSegment(value: string | null, fallback: string): string {
  const cleaned = (value ?? '')
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const cut = [...cleaned].slice(0, MAX_PART).join('').replace(/[\s.]+$/, '');
  // names Windows reserves for devices
  if (cut === '') return fallback;
  return /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(cut) ? `${cut}_` : cut;
}

/**
 * Where a track goes in the library, relative to its root: Artist/Album/NN Title.ext, with NN
 * the two-digit track number (left out when unknown). `ext` is taken as given (".flac" or "flac").
 */
export function libraryPath(tags: TrackTags, ext: string): string {
  const artist = safeSegment(tags.artist, 'Unknown Artist');
  const album = safeSegment(tags.album, 'Unknown Album');
  const title = safeSegment(tags.title, 'Untitled');
  const n = tags.trackNumber;
  const prefix = n !== null && Number.isInteger(n) && n > 0 ? `${String(n).padStart(2, '0')} ` : '';
  const suffix = ext === '' ? '' : `.${ext.replace(/^\./, '').toLowerCase()}`;
  return `${artist}/${album}/${prefix}${title}${suffix}`;
}
