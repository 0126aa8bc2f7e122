import { NON_RETRYABLE_CODES } from './types.js';

const MINUTE_MS = 60_000;

/** How failed items are retried automatically (the retry scheduler). */
export interface RetryPolicy {
  /** Wait before retry 1, 2, 3 …; retries past the list reuse its last delay. */
  readonly delaysMs: readonly number[];
  /** Automatic retries after the first failure (the first run is not counted): one per delay by default. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  delaysMs: [1 * MINUTE_MS, 5 * MINUTE_MS, 15 * MINUTE_MS],
  maxAttempts: 3,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...overrides };
}

/** A failure without a code (a timeout, a crash) may well pass next time. */
export function isRetryable(code: string | null | undefined): boolean {
  return code == null || !(NON_RETRYABLE_CODES as readonly string[]).includes(code);
}

/**
 * When an item that failed at `failedAt` may run again, after `attempts` automatic retries
 * already made (0 after its first failure); null when the retries are used up.
 */
export function nextAttemptAt(attempts: number, failedAt: Date, policy: Partial<RetryPolicy> = {}): Date | null {
  const { delaysMs, maxAttempts } = retryPolicy(policy);
  if (attempts >= maxAttempts || delaysMs.length === 0) return null;
  const delay = delaysMs[Math.min(attempts, delaysMs.length - 1)] ?? 0;
  return new Date(failedAt.getTime() + delay);
}

/** The retry scheduler's verdict on one failed item, as facts. */
export type RetryDecision =
  | { readonly retry: true; readonly at: Date }
  | { readonly retry: false; readonly reason: 'nonRetryable' | 'exhausted' };

export interface ItemFailure {
  readonly attempts: number;
  readonly failedAt: Date;
  readonly errorCode?: string | null;
}

export function retryDecision(failure: ItemFailure, policy: Partial<RetryPolicy> = {}): RetryDecision {
  if (!isRetryable(failure.errorCode)) return { retry: false, reason: 'nonRetryable' };
  const at = nextAttemptAt(failure.attempts, failure.failedAt, policy);
  return at === null ? { retry: false, reason: 'exhausted' } : { retry: true, at };
}

/** Whether the backoff has elapsed at `now`. */
export function isRetryDue(decision: RetryDecision, now: Date): boolean {
  return decision.retry && decision.at.getTime() <= now.getTime();
}
