import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isRetryable, isRetryDue, nextAttemptAt, retryDecision } from '../../../server/domain/jobs/retry.js';
import { NON_RETRYABLE_CODES } from '../../../server/domain/jobs/types.js';

const failedAt = new Date('2026-04-17T12:00:00Z');
const plus = (min: number) => new Date(failedAt.getTime() + min * 60_000);

describe('retry backoff', () => {
  it('waits 1, 5, 15 minutes and then gives up after 3 retries', () => {
    expect(nextAttemptAt(0, failedAt)).toEqual(plus(1));
    expect(nextAttemptAt(1, failedAt)).toEqual(plus(5));
    expect(nextAttemptAt(2, failedAt)).toEqual(plus(15));
    expect(nextAttemptAt(3, failedAt)).toBeNull();
    expect(nextAttemptAt(10, failedAt)).toBeNull();
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(3);
  });

  it('takes a policy with defaults for what it leaves out', () => {
    expect(nextAttemptAt(1, failedAt, { maxAttempts: 1 })).toBeNull();
    expect(nextAttemptAt(3, failedAt, { maxAttempts: 5 })).toEqual(plus(15)); // past the list: the last delay
    expect(nextAttemptAt(0, failedAt, { delaysMs: [10_000] })).toEqual(new Date(failedAt.getTime() + 10_000));
    expect(nextAttemptAt(0, failedAt, { delaysMs: [] })).toBeNull();
  });

  it('never retries file_not_found, user_blocked, invalid_file', () => {
    for (const code of NON_RETRYABLE_CODES) {
      expect(isRetryable(code)).toBe(false);
      expect(retryDecision({ attempts: 0, failedAt, errorCode: code })).toEqual({ retry: false, reason: 'nonRetryable' });
    }
    expect(isRetryable('timeout')).toBe(true);
    expect(isRetryable(null)).toBe(true);
    expect(isRetryable(undefined)).toBe(true);
  });

  it('decides per failure and knows when it is due', () => {
    const d = retryDecision({ attempts: 1, failedAt, errorCode: 'timeout' });
    expect(d).toEqual({ retry: true, at: plus(5) });
    expect(isRetryDue(d, plus(4))).toBe(false);
    expect(isRetryDue(d, plus(5))).toBe(true);
    const spent = retryDecision({ attempts: 3, failedAt });
    expect(spent).toEqual({ retry: false, reason: 'exhausted' });
    expect(isRetryDue(spent, plus(60))).toBe(false);
  });
});
