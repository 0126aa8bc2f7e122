/**
 * Collects the events of one subscription in arrival order and lets a test wait for the next
 * one that matches, with a deadline. A cursor moves past every event a wait returns, so
 * "wait for the snapshot, act, wait for the event" never matches the snapshot twice, and
 * events that arrive while the test acts are buffered, not lost.
 */
export class EventCollector<T> {
  /** Every event received, in order. */
  readonly events: T[] = [];
  /** Arrival time (performance.now()) of each event, same index as `events`. */
  readonly arrivedAt: number[] = [];
  private cursor = 0;
  private ended: { error: unknown } | null = null;
  private waiter: (() => void) | null = null;

  constructor(private readonly label: string) {}

  push(value: T): void {
    this.events.push(value);
    this.arrivedAt.push(performance.now());
    this.waiter?.();
  }

  /** The stream ended (error or completion): pending and later waits reject. */
  end(error: unknown = new Error(`${this.label}: subscription completed`)): void {
    if (this.ended) return;
    this.ended = { error };
    this.waiter?.();
  }

  /** Index of the next unread event; pass to `since` to get what arrived after this point. */
  mark(): number {
    return this.events.length;
  }

  since(mark: number): T[] {
    return this.events.slice(mark);
  }

  /**
   * Resolves with the first unread event matching `predicate` (skipping unread ones that do
   * not match) and moves the cursor past it; rejects after `timeoutMs`, or when the stream ends.
   */
  async next(predicate: (value: T) => boolean = () => true, timeoutMs = 2000, what = 'a matching event'): Promise<T> {
    if (this.waiter) throw new Error(`${this.label}: only one wait at a time`);
    const deadline = performance.now() + timeoutMs;
    try {
      for (;;) {
        while (this.cursor < this.events.length) {
          const value = this.events[this.cursor++] as T;
          if (predicate(value)) return value;
        }
        if (this.ended) throw this.ended.error instanceof Error ? this.ended.error : new Error(String(this.ended.error));
        const left = deadline - performance.now();
        if (left <= 0) {
          const recent = this.events.slice(-5).map((e) => JSON.stringify(e));
          throw new Error(`${this.label}: no ${what} within ${timeoutMs} ms; last events:\n${recent.join('\n')}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          this.waiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.waiter = null;
      }
    } finally {
      this.waiter = null;
    }
  }

  /** Arrival time of an event previously returned by `next`. */
  timeOf(value: T): number {
    const i = this.events.lastIndexOf(value);
    if (i < 0) throw new Error(`${this.label}: not an event of this collector`);
    return this.arrivedAt[i] as number;
  }
}

/** A promise the test opens when it wants; `wait` also ends when `signal` aborts. */
export class Gate {
  private release!: () => void;
  private readonly opened: Promise<void>;
  isOpen = false;

  constructor() {
    this.opened = new Promise<void>((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    this.isOpen = true;
    this.release();
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.opened;
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      void this.opened.then(resolve);
    });
  }
}
