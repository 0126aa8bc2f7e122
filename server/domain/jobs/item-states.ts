import { applyEvent, eventsFrom, type TransitionTable } from './transitions.js';
import type { ItemStatus } from './types.js';

/** What can happen to one item (a playlist to sync, a song to download or upload). */
export type ItemEvent =
  | 'claim' // a worker slot takes it
  | 'succeed'
  | 'fail'
  | 'skip' // nothing to do (e.g. the file is already in the library)
  | 'cancel' // the job was canceled
  | 'reclaim' // its heartbeat went stale (crash, kill -9): another worker may take it
  | 'release' // the runner let go of it (a paused download resumes later from its byte offset)
  | 'retry'; // retry-failed-items or the retry scheduler after the backoff

export const ITEM_TRANSITIONS: TransitionTable<ItemEvent, ItemStatus> = {
  claim: { from: ['pending'], to: 'running' },
  succeed: { from: ['running'], to: 'succeeded' },
  fail: { from: ['running'], to: 'failed' },
  skip: { from: ['pending', 'running'], to: 'skipped' },
  cancel: { from: ['pending', 'running'], to: 'canceled' },
  reclaim: { from: ['running'], to: 'pending' },
  release: { from: ['running'], to: 'pending' },
  retry: { from: ['failed'], to: 'pending' },
};

export function nextItemStatus(from: ItemStatus, event: ItemEvent): ItemStatus | null {
  return applyEvent(ITEM_TRANSITIONS, from, event);
}

export function itemEventsFrom(from: ItemStatus): ItemEvent[] {
  return eventsFrom(ITEM_TRANSITIONS, from);
}

/** Items still to be worked on; a stage is finished when none is left. */
export const ITEM_OPEN_STATUSES: readonly ItemStatus[] = ['pending', 'running'];

export function isItemOpen(status: ItemStatus): boolean {
  return ITEM_OPEN_STATUSES.includes(status);
}
