import { createHash } from 'node:crypto';

/** A scanned track: its path and what identifies it. */
export interface TrackFingerprint {
  readonly path: string;
  /** Hash of normalised artist + title + rounded duration; null when tags are missing. */
  readonly metadataHash: string | null;
  /** Hash of the file's bytes; null when contents were not compared. */
  readonly contentHash: string | null;
}

export interface DuplicateGroup {
  readonly method: 'metadata' | 'content';
  readonly hash: string;
  readonly paths: readonly string[];
}

/** Lower case, accents stripped, "feat." parts and punctuation removed, spaces collapsed. */
export function normalizeTag(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s*[([]?\b(feat|ft|featuring)\b\.?.*$/u, '')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** Durations within the same whole second count as the same. */
export function metadataHash(artist: string, title: string, durationSeconds: number | null): string | null {
  const a = normalizeTag(artist);
  const t = normalizeTag(title);
  if (a === '' || t === '') return null;
  const d = durationSeconds === null ? '' : String(Math.round(durationSeconds));
  return createHash('sha1').update(`${a}\u0000${t}\u0000${d}`).digest('hex');
}

/**
 * Groups tracks sharing a content hash (identical files) or a metadata hash (same recording).
 * A file identical to another is reported once, under content; metadata groups list the rest.
 */
export function findDuplicates(tracks: readonly TrackFingerprint[]): { groups: DuplicateGroup[]; duplicateFiles: number } {
  const byContent = new Map<string, string[]>();
  const byMeta = new Map<string, string[]>();
  for (const t of tracks) {
    if (t.contentHash !== null) byContent.set(t.contentHash, [...(byContent.get(t.contentHash) ?? []), t.path]);
  }
  const groups: DuplicateGroup[] = [];
  const counted = new Set<string>();
  for (const [hash, paths] of byContent) {
    if (paths.length > 1) {
      groups.push({ method: 'content', hash, paths: [...paths].sort() });
      paths.slice(1).forEach((p) => counted.add(p));
    }
  }
  for (const t of tracks) {
    if (t.metadataHash !== null) byMeta.set(t.metadataHash, [...(byMeta.get(t.metadataHash) ?? []), t.path]);
  }
  let duplicateFiles = counted.size;
  for (const [hash, paths] of byMeta) {
    const distinct = paths.filter((p) => !counted.has(p));
    if (distinct.length > 1) {
      groups.push({ method: 'metadata', hash, paths: [...paths].sort() });
      duplicateFiles += distinct.length - 1;
    }
  }
  return { groups, duplicateFiles };
}
