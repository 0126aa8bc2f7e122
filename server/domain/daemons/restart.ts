/** Restart policy for crashed daemons: exponential backoff, at most MAX_RESTARTS times. */
export const MAX_RESTARTS = 3;

/** Whether a daemon that crashed after `restartCount` earlier restarts gets another one. */
export function shouldRestart(restartCount: number, max = MAX_RESTARTS): boolean {
  return restartCount < max;
}

/** Delay before restart number `attempt` (1-based): base, 2×base, 4×base … */
export function restartDelayMs(attempt: number, baseMs: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}

/** A daemon that has run this long since its last (re)start gets its restart budget back. */
export const RESTART_FORGIVE_AFTER_MS = 10 * 60 * 1000;

/**
 * Whether a successful cycle resets the restart count: only after the daemon has stayed up for
 * RESTART_FORGIVE_AFTER_MS, so a daemon that crashes every few cycles still ends FAILED.
 */
export function shouldForgiveRestarts(restartCount: number, startedAtMs: number | null, nowMs: number): boolean {
  return restartCount > 0 && startedAtMs !== null && nowMs - startedAtMs >= RESTART_FORGIVE_AFTER_MS;
}
