/**
 * Quality rules for library files: which are worth upgrading, and whether a file found for one
 * is better. Pure. Containers are music-metadata's names (MPEG, MPEG-4, Ogg, FLAC, WAVE, AIFF).
 */

const LOSSLESS = new Set(['FLAC', 'WAVE', 'AIFF', 'ALAC', 'WavPack', 'APE']);

export interface AudioQuality {
  /** music-metadata's container name; null when unknown. */
  readonly container: string | null;
  readonly bitrateKbps: number | null;
}

export const isLossless = (q: AudioQuality): boolean => q.container !== null && LOSSLESS.has(q.container);

/** A lossy file below `minKbps` (an unknown bit rate counts as below): the Quality Upgrade daemon looks for a better one. */
export function needsUpgrade(q: AudioQuality, minKbps: number): boolean {
  if (q.container === null || isLossless(q)) return false;
  return q.bitrateKbps === null || q.bitrateKbps < minKbps;
}

/** A lossy file must beat the current one by this much to count (a re-encode at the same rate is no upgrade). */
export const MIN_GAIN_KBPS = 32;

/**
 * Whether `candidate` is better than `current`: lossless over lossy; lossy only at least
 * `minKbps` and MIN_GAIN_KBPS above the current rate.
 */
export function isUpgrade(current: AudioQuality, candidate: AudioQuality, minKbps: number): boolean {
  if (isLossless(current)) return false;
  if (isLossless(candidate)) return true;
  if (candidate.bitrateKbps === null) return false;
  return candidate.bitrateKbps >= minKbps && candidate.bitrateKbps >= (current.bitrateKbps ?? 0) + MIN_GAIN_KBPS;
}

/** The same recording: lengths within 3 s, or 2 % for long tracks. Unknown lengths cannot be verified. */
export function sameLength(a: number | null, b: number | null): boolean {
  if (a === null || b === null || a <= 0 || b <= 0) return false;
  return Math.abs(a - b) <= Math.max(3, 0.02 * Math.max(a, b));
}

/** A container name by file extension, for ranking candidates before they are read (slskd names files). */
export function containerOfExtension(ext: string): string | null {
  const map: Record<string, string> = { mp3: 'MPEG', m4a: 'MPEG-4', aac: 'MPEG-4', ogg: 'Ogg', oga: 'Ogg', opus: 'Ogg', flac: 'FLAC', wav: 'WAVE', aiff: 'AIFF', aif: 'AIFF', ape: 'APE', wv: 'WavPack', alac: 'ALAC' };
  return map[ext.replace(/^\./, '').toLowerCase()] ?? null;
}
