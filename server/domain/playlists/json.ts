import { z } from 'zod';
import { entry, fail, type PlaylistBody } from './common.js';
import { resolveOrFail, type LocationBase } from './location.js';

const required = z.string().trim().min(1, 'must not be empty');
/** Optional text: absent, null and "" all mean "not known". */
const optional = z
  .string()
  .trim()
  .nullish()
  .transform((s) => s || null);

const trackSchema = z.strictObject({
  title: required,
  artist: optional,
  album: optional,
  durationSec: z.number().positive().nullish(),
  trackNumber: z.int().positive().nullish(),
  /** Absolute URL, absolute path, or a path relative to the playlist file (docs/playlist-json.md). */
  location: required,
  sizeBytes: z.int().nonnegative().nullish(),
  sha256: z
    .string()
    .regex(/^[\da-f]{64}$/i, 'must be 64 hexadecimal digits')
    .transform((s) => s.toLowerCase())
    .nullish(),
});

/**
 * Roadie's own playlist format (docs/playlist-json.md): the one that can carry size and hash.
 * Strict, so a misspelt key ("durationSecs") is reported rather than silently dropped.
 */
export const roadiePlaylistSchema = z.strictObject({
  name: required,
  description: optional,
  tracks: z.array(trackSchema),
});

/** A Roadie JSON playlist as written (for an exporter and for tests). */
export type RoadiePlaylistJson = z.input<typeof roadiePlaylistSchema>;

/** A zod issue path as JavaScript would spell it: ["tracks", 3, "location"] → "tracks[3].location". */
export function jsonPath(path: readonly PropertyKey[]): string {
  const spelt = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
  return spelt || '(root)';
}

/** JSON.parse's message with its character offset turned into a line and column, as the other formats name places. */
function syntaxError(text: string, error: Error): string {
  const offset = /at position (\d+)/.exec(error.message)?.[1];
  const message = error.message.replace(/ in JSON at position \d+.*$/, '');
  if (offset === undefined) return `invalid JSON: ${message}`;
  const before = text.slice(0, Number(offset)).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}: invalid JSON: ${message}`;
}

export function parseRoadieJson(text: string, base: LocationBase): PlaylistBody {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail(syntaxError(text, e as Error));
  }
  const parsed = roadiePlaylistSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`${jsonPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`);
  }
  const { name, description, tracks } = parsed.data;
  const entries = tracks.map(({ location, ...fields }, i) => entry(i, resolveOrFail(location, base, 'path', `tracks[${i}].location`), fields));
  return { name, description, entries };
}
