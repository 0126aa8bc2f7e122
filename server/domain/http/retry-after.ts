/**
 * Retry-After as milliseconds (RFC 9110 §10.2.3): delta-seconds (a fraction is tolerated) or an
 * HTTP-date compared with `wallNow` (the wall clock); null when absent or unreadable. Shared by
 * every service client (MusicBrainz, Cover Art Archive, slskd, Spotify).
 */
export function parseRetryAfter(value: string | string[] | null | undefined, wallNow: number = Date.now()): number | null {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - wallNow);
}
