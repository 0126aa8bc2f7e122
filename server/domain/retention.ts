/** Whether a temp file last modified at `mtimeMs` is older than the retention. */
export function isExpired(mtimeMs: number, nowMs: number, retentionDays: number): boolean {
  return nowMs - mtimeMs > retentionDays * 24 * 3600 * 1000;
}
