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
