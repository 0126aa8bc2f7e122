/** Which library files are tracks, and what a track's tags must have: rules shared by the daemons and the tasks. */

/** Extensions (lower case, with the dot) of the audio formats a music library holds. */
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.mp3',
  '.flac',
  '.m4a',
  '.mp4',
  '.aac',
  '.ogg',
  '.oga',
  '.opus',
  '.wav',
  '.aif',
  '.aiff',
  '.wma',
  '.ape',
  '.wv',
]);

/** A file's extension as a format name: lower case, without the dot; '' when it has none. */
export function formatOf(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export function isAudioFile(fileName: string): boolean {
  const format = formatOf(fileName);
  return format !== '' && AUDIO_EXTENSIONS.has(`.${format}`);
}

/** The tags a track is read with (blank strings count as missing). */
export interface TrackTags {
  readonly artist: string | null;
  readonly title: string | null;
  readonly durationSeconds: number | null;
}

const present = (v: string | null): boolean => v !== null && v.trim() !== '';

/** A track people cannot find by name: no artist or no title. */
export function isMissingTags(tags: TrackTags): boolean {
  return !present(tags.artist) || !present(tags.title);
}
