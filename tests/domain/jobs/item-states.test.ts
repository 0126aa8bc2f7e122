import { describe, expect, it } from 'vitest';
import { isItemOpen, ITEM_TRANSITIONS, itemEventsFrom, nextItemStatus, type ItemEvent } from '../../../server/domain/jobs/item-states.js';
import { ITEM_STATUSES, type ItemStatus } from '../../../server/domain/jobs/types.js';

describe('item status table', () => {
  const expected: Record<ItemEvent, Partial<Record<ItemStatus, ItemStatus>>> = {
    claim: { pending: 'running' },
    succeed: { running: 'succeeded' },
    fail: { running: 'failed' },
    skip: { pending: 'skipped', running: 'skipped' },
    cancel: { pending: 'canceled', running: 'canceled' },
    reclaim: { running: 'pending' },
    release: { running: 'pending' },
    retry: { failed: 'pending' },
  };

  it('has an expectation for every event', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(ITEM_TRANSITIONS).sort());
  });

  for (const event of Object.keys(ITEM_TRANSITIONS) as ItemEvent[]) {
    for (const from of ITEM_STATUSES) {
      const want = expected[event][from] ?? null;
      it(`${event} from ${from} → ${want ?? 'refused'}`, () => {
        expect(nextItemStatus(from, event)).toBe(want);
      });
    }
  }

  it('open items are pending or running; a settled item moves only by retry', () => {
    expect(ITEM_STATUSES.filter(isItemOpen)).toEqual(['pending', 'running']);
    expect(itemEventsFrom('succeeded')).toEqual([]);
    expect(itemEventsFrom('skipped')).toEqual([]);
    expect(itemEventsFrom('canceled')).toEqual([]);
    expect(itemEventsFrom('failed')).toEqual(['retry']);
  });

  it('nothing completes twice: only a running item can succeed', () => {
    expect(ITEM_STATUSES.filter((s) => nextItemStatus(s, 'succeed') !== null)).toEqual(['running']);
  });
});
