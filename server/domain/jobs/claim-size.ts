/**
 * How many items a worker slot claims at once. A slot whose items finish in a blink (a no-op, a
 * tag already in place) doubles its claim each round up to a ceiling, so the item traffic of
 * thousands of tiny items costs a few writes per round instead of one per item; a slow item (a
 * download) drops it back to one, so no slot sits on items another could run.
 */
export const FAST_ITEM_MS = 5;
export const MAX_CLAIM = 16;

export function nextClaimSize(previous: number, lastItemMs: number): number {
  if (lastItemMs >= FAST_ITEM_MS) return 1;
  return Math.min(Math.max(1, previous) * 2, MAX_CLAIM);
}
