/**
 * Which failures of a remote service may pass when asked again later (by the daemon's next
 * cycle, not the client): being rate limited, a server error, no answer in time, no connection.
 * Every service client's error class takes its `retryable` from here.
 */
const RETRYABLE_SERVICE_CODES: ReadonlySet<string> = new Set(['rate_limited', 'server_error', 'timeout', 'network_error']);

export function isRetryableServiceCode(code: string): boolean {
  return RETRYABLE_SERVICE_CODES.has(code);
}
