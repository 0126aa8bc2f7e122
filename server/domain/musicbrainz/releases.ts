/**
 * Choosing release groups, and the release to fetch for one, from MusicBrainz browse results:
 * pure, so the watchlist and discography daemons and their tests share one reading of
 * MusicBrainz's partial dates.
 */

/** The part of a release group these rules read (MbReleaseGroup fits). */
export interface ReleaseGroupLike {
  id: string;
  title: string;
  primaryType: string | null;
  secondaryTypes: readonly string[];
  /** `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or null when unknown. */
  firstReleaseDate: string | null;
}

/**
 * A MusicBrainz partial date as the first UTC day it can mean (`2016` → 2016-01-01,
 * `2016-05` → 2016-05-01); null when empty or not a date.
 */
export function parsePartialDate(value: string | null | undefined): Date | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value?.trim() ?? '');
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : 1;
  const day = m[3] ? Number(m[3]) : 1;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 ? d : null; // 2021-02-30 is not a day
}

export interface NewReleaseOptions {
  /** Primary types to keep, case-insensitive (default Album and EP). */
  types?: readonly string[];
  /** Drop groups with any of these secondary types (default Compilation, Live, Remix, DJ-mix, Demo). */
  excludeSecondary?: readonly string[];
}

const DEFAULT_TYPES = ['album', 'ep'];
const DEFAULT_EXCLUDED = ['compilation', 'live', 'remix', 'dj-mix', 'demo'];

/**
 * Release groups first released on or after `since` (UTC day), of the wanted types, each id
 * once, newest first (ties by title). A date with only a year or month counts as its first day,
 * so `2024` is "new since 2024-01-01" but not "since 2024-06-01"; undated groups are left out.
 */
export function newReleaseGroupsSince<T extends ReleaseGroupLike>(groups: readonly T[], since: Date, o: NewReleaseOptions = {}): T[] {
  const types = new Set((o.types ?? DEFAULT_TYPES).map((t) => t.toLowerCase()));
  const excluded = new Set((o.excludeSecondary ?? DEFAULT_EXCLUDED).map((t) => t.toLowerCase()));
  const floor = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate());
  const seen = new Set<string>();
  const picked: { group: T; at: number }[] = [];
  for (const group of groups) {
    if (seen.has(group.id)) continue;
    seen.add(group.id);
    if (!types.has((group.primaryType ?? '').toLowerCase())) continue;
    if (group.secondaryTypes.some((t) => excluded.has(t.toLowerCase()))) continue;
    const at = parsePartialDate(group.firstReleaseDate)?.getTime();
    if (at === undefined || at < floor) continue;
    picked.push({ group, at });
  }
  return picked.sort((a, b) => b.at - a.at || a.group.title.localeCompare(b.group.title)).map((p) => p.group);
}

/** The part of a release `chooseRelease` reads (MbRelease fits). */
export interface ReleaseLike {
  id: string;
  /** Official, Promotion, Bootleg, Pseudo-Release, … or null. */
  status: string | null;
  /** `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or null when unknown. */
  date: string | null;
  releaseGroup: { id: string } | null;
}

/**
 * The release to fetch for a release group: its official releases first, then the earliest
 * dated (a partial date counts as its first day; undated or unreadable last), ties by id; null
 * when the group has none. Ids compare case-insensitively, as MBIDs do.
 */
export function chooseRelease<T extends ReleaseLike>(releases: readonly T[], releaseGroupId: string): T | null {
  const group = releaseGroupId.toLowerCase();
  const rank = (r: T): { official: number; at: number; id: string } => ({
    official: r.status?.toLowerCase() === 'official' ? 0 : 1,
    at: parsePartialDate(r.date)?.getTime() ?? Infinity,
    id: r.id.toLowerCase(),
  });
  let best: { release: T; key: ReturnType<typeof rank> } | null = null;
  for (const release of releases) {
    if (release.releaseGroup?.id.toLowerCase() !== group) continue;
    const key = rank(release);
    if (!best || before(key, best.key)) best = { release, key };
  }
  return best?.release ?? null;
}

function before(a: { official: number; at: number; id: string }, b: { official: number; at: number; id: string }): boolean {
  if (a.official !== b.official) return a.official < b.official;
  if (a.at !== b.at) return a.at < b.at;
  return a.id < b.id;
}
