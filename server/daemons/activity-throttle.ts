import { throttleDecision } from '../domain/daemons/throttle.js';

/**
 * Emits at most one value per interval and always the latest: a value that arrives too soon
 * replaces any pending one and goes out when the interval ends. Timing rule: throttleDecision.
 */
export class Throttle<T> {
  private lastEmitAt: number | null = null;
  private pending: { value: T } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly minIntervalMs: number,
    private readonly emit: (value: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  push(value: T): void {
    const decision = throttleDecision(this.lastEmitAt, this.now(), this.minIntervalMs);
    if (decision.emitNow && this.timer === null) {
      this.fire(value);
      return;
    }
    this.pending = { value };
    if (this.timer === null) {
      const delay = decision.emitNow ? 0 : decision.delayMs;
      this.timer = setTimeout(() => {
        this.timer = null;
        const p = this.pending;
        this.pending = null;
        if (p) this.fire(p.value);
      }, delay);
    }
  }

  /** Counts a value sent another way (the row a job is added with) as emitted now. */
  noteEmitted(): void {
    this.lastEmitAt = this.now();
  }

  /** Drops a pending value (the daemon stopped; its activity is cleared). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private fire(value: T): void {
    this.lastEmitAt = this.now();
    this.emit(value);
  }
}
