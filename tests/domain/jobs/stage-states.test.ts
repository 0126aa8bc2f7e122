import { describe, expect, it } from 'vitest';
import { isStageFinal, nextStageStatus, STAGE_TRANSITIONS, stageEventsFrom, type StageEvent } from '../../../server/domain/jobs/stage-states.js';
import { STAGE_STATUSES, type StageStatus } from '../../../server/domain/jobs/types.js';

describe('stage status table', () => {
  const expected: Record<StageEvent, Partial<Record<StageStatus, StageStatus>>> = {
    start: { pending: 'running' },
    pause: { running: 'paused' },
    resume: { paused: 'running' },
    complete: { running: 'completed' },
    completeWithErrors: { running: 'completed_with_errors' },
    fail: { running: 'failed' },
    cancel: { pending: 'canceled', running: 'canceled', paused: 'canceled' },
    skip: { pending: 'skipped' },
    requeue: { running: 'pending' },
    reopen: { completed_with_errors: 'pending', failed: 'pending', skipped: 'pending' },
  };

  it('has an expectation for every event', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(STAGE_TRANSITIONS).sort());
  });

  for (const event of Object.keys(STAGE_TRANSITIONS) as StageEvent[]) {
    for (const from of STAGE_STATUSES) {
      const want = expected[event][from] ?? null;
      it(`${event} from ${from} → ${want ?? 'refused'}`, () => {
        expect(nextStageStatus(from, event)).toBe(want);
      });
    }
  }

  it('final statuses are left only by reopen', () => {
    expect(STAGE_STATUSES.filter(isStageFinal)).toEqual(['completed', 'completed_with_errors', 'failed', 'canceled', 'skipped']);
    for (const status of STAGE_STATUSES.filter(isStageFinal)) {
      for (const event of stageEventsFrom(status)) expect(event).toBe('reopen');
    }
    expect(stageEventsFrom('completed')).toEqual([]);
    expect(stageEventsFrom('canceled')).toEqual([]);
  });
});
