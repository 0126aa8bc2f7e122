import { describe, expect, it } from 'vitest';
import {
  canCancel,
  canPause,
  canRemove,
  canResume,
  controlEvent,
  holdsLaneSlot,
  isJobFinal,
  JOB_FINAL_STATUSES,
  JOB_REMOVABLE_STATUSES,
  JOB_TRANSITIONS,
  jobEventsFrom,
  nextJobStatus,
  retryFailedItemsEffect,
  type JobEvent,
} from '../../../server/domain/jobs/job-states.js';
import { JOB_STATUSES, type JobStatus } from '../../../server/domain/jobs/types.js';

describe('job status table', () => {
  const expected: Record<JobEvent, Partial<Record<JobStatus, JobStatus>>> = {
    start: { queued: 'running' },
    requestPause: { running: 'pause_requested' },
    pauseQueued: { queued: 'paused' },
    pauseReached: { pause_requested: 'paused' },
    withdrawPause: { pause_requested: 'running' },
    resume: { paused: 'queued' },
    complete: { running: 'completed', pause_requested: 'completed' },
    completeWithErrors: { running: 'completed_with_errors', pause_requested: 'completed_with_errors' },
    fail: { running: 'failed', pause_requested: 'failed' },
    cancel: { queued: 'canceled', running: 'canceled', pause_requested: 'canceled', paused: 'canceled' },
    requeue: { running: 'queued' },
    reopen: { completed_with_errors: 'queued', failed: 'queued' },
  };

  it('has an expectation for every event', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(JOB_TRANSITIONS).sort());
  });

  for (const event of Object.keys(JOB_TRANSITIONS) as JobEvent[]) {
    for (const from of JOB_STATUSES) {
      const want = expected[event][from] ?? null;
      it(`${event} from ${from} → ${want ?? 'refused'}`, () => {
        expect(nextJobStatus(from, event)).toBe(want);
      });
    }
  }

  it('every transition targets a known status', () => {
    for (const t of Object.values(JOB_TRANSITIONS)) expect(JOB_STATUSES).toContain(t.to);
  });
});

describe('job controls derived from the table', () => {
  const table: Record<JobStatus, [pause: boolean, resume: boolean, cancel: boolean]> = {
    queued: [true, false, true],
    running: [true, false, true],
    pause_requested: [false, true, true],
    paused: [false, true, true],
    completed: [false, false, false],
    completed_with_errors: [false, false, false],
    failed: [false, false, false],
    canceled: [false, false, false],
  };
  for (const status of JOB_STATUSES) {
    it(`offers pause/resume/cancel = ${table[status].join('/')} when ${status}`, () => {
      expect([canPause(status), canResume(status), canCancel(status)]).toEqual(table[status]);
    });
  }

  it('maps each control to the event the runner applies', () => {
    expect(controlEvent('running', 'pause')).toBe('requestPause');
    expect(controlEvent('queued', 'pause')).toBe('pauseQueued');
    expect(controlEvent('pause_requested', 'resume')).toBe('withdrawPause');
    expect(controlEvent('paused', 'resume')).toBe('resume');
    expect(controlEvent('paused', 'cancel')).toBe('cancel');
    expect(controlEvent('completed', 'cancel')).toBeNull();
  });

  it('every control event leads where the control promises', () => {
    for (const status of JOB_STATUSES) {
      const pause = controlEvent(status, 'pause');
      if (pause) expect(['pause_requested', 'paused']).toContain(nextJobStatus(status, pause));
      const resume = controlEvent(status, 'resume');
      if (resume) expect(['running', 'queued']).toContain(nextJobStatus(status, resume));
      const cancel = controlEvent(status, 'cancel');
      if (cancel) expect(nextJobStatus(status, cancel)).toBe('canceled');
    }
  });
});

describe('removing a job', () => {
  const removable: Record<JobStatus, boolean> = {
    queued: false,
    running: false,
    pause_requested: false,
    paused: false,
    completed: true,
    completed_with_errors: true,
    failed: true,
    canceled: true,
  };
  for (const status of JOB_STATUSES) {
    it(`${removable[status] ? 'may' : 'may not'} remove a job that is ${status}`, () => {
      expect(canRemove(status)).toBe(removable[status]);
    });
  }

  it('removable means final: the runner is done with the job', () => {
    expect([...JOB_REMOVABLE_STATUSES].sort()).toEqual([...JOB_FINAL_STATUSES].sort());
    for (const status of JOB_STATUSES) expect(canRemove(status)).toBe(isJobFinal(status));
  });

  it('a job that can still be canceled cannot be removed, and the other way round', () => {
    for (const status of JOB_STATUSES) expect(canRemove(status) && canCancel(status)).toBe(false);
  });
});

describe('job status helpers', () => {
  it('final statuses are left only by reopen', () => {
    expect(JOB_STATUSES.filter(isJobFinal)).toEqual(['completed', 'completed_with_errors', 'failed', 'canceled']);
    for (const status of JOB_FINAL_STATUSES) {
      for (const event of jobEventsFrom(status)) expect(event).toBe('reopen');
    }
  });

  it('non-final statuses can always be canceled', () => {
    for (const status of JOB_STATUSES.filter((s) => !isJobFinal(s))) expect(canCancel(status)).toBe(true);
  });

  it('a pausing job still holds its lane slot', () => {
    expect(JOB_STATUSES.filter(holdsLaneSlot)).toEqual(['running', 'pause_requested']);
  });

  it('retry-failed-items touches only items on a live job and reopens a finished one', () => {
    expect(retryFailedItemsEffect('running')).toBe('itemsOnly');
    expect(retryFailedItemsEffect('paused')).toBe('itemsOnly');
    expect(retryFailedItemsEffect('queued')).toBe('itemsOnly');
    expect(retryFailedItemsEffect('completed_with_errors')).toBe('reopenJob');
    expect(retryFailedItemsEffect('failed')).toBe('reopenJob');
    expect(retryFailedItemsEffect('canceled')).toBeNull();
    expect(retryFailedItemsEffect('completed')).toBeNull();
  });
});
