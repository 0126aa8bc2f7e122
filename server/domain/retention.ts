const DAY_MS = 24 * 3600 * 1000;

/** A retention in days as milliseconds (finished jobs older than this are pruned). */
export function retentionMs(retentionDays: number): number {
  return retentionDays * DAY_MS;
}

/** Whether a temp file last modified at `mtimeMs` is older than the retention. */
export function isExpired(mtimeMs: number, nowMs: number, retentionDays: number): boolean {
  return nowMs - mtimeMs > retentionMs(retentionDays);
}
