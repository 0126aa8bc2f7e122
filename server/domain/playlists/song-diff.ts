/** What a sync changed in a playlist: songs by location, counted as a multiset (a song may be listed twice). */
export interface SongDiff {
  readonly added: number;
  readonly removed: number;
  readonly unchanged: number;
}

/**
 * Compares a playlist's song locations before and after a sync. Order does not count: a song
 * that moved is unchanged; a song listed twice where it was once is one added.
 */
export function songDiff(before: readonly string[], after: readonly string[]): SongDiff {
  const left = new Map<string, number>();
  for (const loc of before) left.set(loc, (left.get(loc) ?? 0) + 1);
  let unchanged = 0;
  for (const loc of after) {
    const n = left.get(loc) ?? 0;
    if (n > 0) {
      unchanged++;
      left.set(loc, n - 1);
    }
  }
  return { added: after.length - unchanged, removed: before.length - unchanged, unchanged };
}
