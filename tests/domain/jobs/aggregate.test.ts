import { describe, expect, it } from 'vitest';
import { countItems, jobOutcome, stageOutcome, stopsJob } from '../../../server/domain/jobs/aggregate.js';
import type { ItemStatus } from '../../../server/domain/jobs/types.js';

const items = (spec: Partial<Record<ItemStatus, number>>) =>
  countItems(Object.entries(spec).flatMap(([s, n]) => Array<ItemStatus>(n).fill(s as ItemStatus)));

describe('countItems', () => {
  it('counts every status, zero included', () => {
    expect(countItems(['succeeded', 'failed', 'succeeded'])).toEqual({ pending: 0, running: 0, succeeded: 2, failed: 1, skipped: 0, canceled: 0 });
  });
});

describe('stage outcome from its items', () => {
  it('is not final while any item is pending or running', () => {
    expect(stageOutcome(items({ succeeded: 3, pending: 1 }))).toBeNull();
    expect(stageOutcome(items({ failed: 3, running: 1 }))).toBeNull();
  });
  it('all succeeded (or skipped) → completed', () => {
    expect(stageOutcome(items({ succeeded: 3 }))).toBe('completed');
    expect(stageOutcome(items({ succeeded: 1, skipped: 2 }))).toBe('completed');
    expect(stageOutcome(items({ skipped: 2 }))).toBe('completed');
  });
  it('no items → completed (nothing to do)', () => {
    expect(stageOutcome(items({}))).toBe('completed');
  });
  it('some failed, some done → completed_with_errors', () => {
    expect(stageOutcome(items({ succeeded: 2, failed: 1 }))).toBe('completed_with_errors');
    expect(stageOutcome(items({ skipped: 1, failed: 1 }))).toBe('completed_with_errors');
  });
  it('all failed → failed', () => {
    expect(stageOutcome(items({ failed: 3 }))).toBe('failed');
  });
  it('any canceled → canceled', () => {
    expect(stageOutcome(items({ succeeded: 2, failed: 1, canceled: 1 }))).toBe('canceled');
  });
});

describe('job outcome from its stages', () => {
  it('is not final while a stage is pending, running or paused', () => {
    expect(jobOutcome(['completed', 'running'])).toBeNull();
    expect(jobOutcome(['completed', 'pending'])).toBeNull();
    expect(jobOutcome(['paused'])).toBeNull();
  });
  it('reports the worst final stage', () => {
    expect(jobOutcome(['completed', 'completed', 'completed'])).toBe('completed');
    expect(jobOutcome(['completed', 'completed_with_errors'])).toBe('completed_with_errors');
    expect(jobOutcome(['completed', 'failed', 'skipped'])).toBe('failed');
    expect(jobOutcome(['completed_with_errors', 'canceled', 'canceled'])).toBe('canceled');
    expect(jobOutcome(['failed', 'canceled'])).toBe('canceled');
  });
  it('skipped stages alone do not make a job fail', () => {
    expect(jobOutcome(['completed', 'skipped'])).toBe('completed');
    expect(jobOutcome([])).toBe('completed');
  });
  it('a failed or canceled stage stops the job, a partial one does not', () => {
    expect(stopsJob('failed')).toBe(true);
    expect(stopsJob('canceled')).toBe(true);
    expect(stopsJob('completed_with_errors')).toBe(false);
    expect(stopsJob('completed')).toBe(false);
  });
});
