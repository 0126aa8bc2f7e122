/**
 * Throttle rule for activity updates: at most one emission per `minIntervalMs`; a value that
 * arrives too soon waits for the end of the interval, and the latest value is always emitted.
 */
export type ThrottleDecision = { readonly emitNow: true } | { readonly emitNow: false; readonly delayMs: number };

export function throttleDecision(lastEmitAt: number | null, now: number, minIntervalMs: number): ThrottleDecision {
  if (lastEmitAt === null) return { emitNow: true };
  const elapsed = now - lastEmitAt;
  if (elapsed >= minIntervalMs) return { emitNow: true };
  return { emitNow: false, delayMs: minIntervalMs - elapsed };
}

/** Activity messages are capped to what the column holds. */
export const ACTIVITY_MESSAGE_MAX = 500;

export function clampActivityMessage(message: string): string {
  return message.length <= ACTIVITY_MESSAGE_MAX ? message : `${message.slice(0, ACTIVITY_MESSAGE_MAX - 1)}…`;
}
