/**
 * The global download speed limit shared by every download worker: a token bucket refilled at
 * `limit` bytes/s that a downloader asks before writing each chunk (`take`). 0 = unlimited.
 *
 * Fairness: waiters are served round-robin in quanta of at most QUANTUM_BYTES, so a download
 * asking for big chunks cannot starve one asking for small ones (deficit round-robin: two
 * downloads each get half the limit whatever their chunk sizes).
 * Accuracy: the bucket holds at most BURST_SECONDS of the limit, so the rate over any span of
 * seconds is within a few percent of the limit; a new limit applies from the next grant.
 */
export const QUANTUM_BYTES = 16 * 1024;
const BURST_SECONDS = 0.05;

interface Waiter {
  remaining: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class RateLimiter {
  #limit: number;
  #tokens = 0;
  #refilledAt = performance.now();
  #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | null = null;

  /** `bytesPerSecond` 0 (or less) means unlimited. */
  constructor(bytesPerSecond = 0) {
    this.#limit = Math.max(0, bytesPerSecond);
  }

  get limit(): number {
    return this.#limit;
  }

  /** Changes the limit live; waiters are rescheduled at once (0 releases them all). */
  setLimit(bytesPerSecond: number): void {
    this.#refill();
    this.#limit = Math.max(0, bytesPerSecond);
    this.#tokens = Math.min(this.#tokens, this.#capacity());
    this.#pump();
  }

  /**
   * Waits until `bytes` may be written. Returns null when they may be written now (unlimited,
   * nothing queued), so the hot path needs no await; otherwise a promise that rejects with the
   * signal's reason when it aborts first.
   */
  take(bytes: number, signal?: AbortSignal): Promise<void> | null {
    if (bytes <= 0 || (this.#limit === 0 && this.#queue.length === 0)) return null;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length === 0) {
      // nobody waits: take the whole amount at once when the bucket has it
      this.#refill();
      if (this.#tokens >= bytes) {
        this.#tokens -= bytes;
        return null;
      }
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { remaining: bytes, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        w.onAbort = () => {
          this.#queue = this.#queue.filter((q) => q !== w);
          reject(signal.reason);
          this.#pump();
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.#queue.push(w);
      this.#pump();
    });
  }

  /** Stops the timer and rejects every waiter (shutdown). */
  close(reason: unknown = new Error('rate limiter closed')): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const w of this.#queue.splice(0)) this.#settle(w, reason);
  }

  #capacity(): number {
    return Math.max(QUANTUM_BYTES, this.#limit * BURST_SECONDS);
  }

  #refill(): void {
    const now = performance.now();
    if (this.#limit > 0) this.#tokens = Math.min(this.#capacity(), this.#tokens + ((now - this.#refilledAt) * this.#limit) / 1000);
    this.#refilledAt = now;
  }

  #settle(w: Waiter, err?: unknown): void {
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    if (err === undefined) w.resolve();
    else w.reject(err);
  }

  /** Grants quanta round-robin while tokens last, then sleeps until the head's next quantum is due. */
  #pump(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#refill();
    while (this.#queue.length > 0) {
      const w = this.#queue[0]!;
      const quantum = Math.min(w.remaining, QUANTUM_BYTES);
      if (this.#limit > 0) {
        if (this.#tokens < quantum) break;
        this.#tokens -= quantum;
      }
      w.remaining -= quantum;
      this.#queue.shift();
      if (w.remaining > 0) this.#queue.push(w);
      else this.#settle(w);
    }
    const head = this.#queue[0];
    if (head && this.#limit > 0) {
      const waitMs = ((Math.min(head.remaining, QUANTUM_BYTES) - this.#tokens) * 1000) / this.#limit;
      this.#timer = setTimeout(() => this.#pump(), Math.max(1, Math.ceil(waitMs)));
    }
  }
}
