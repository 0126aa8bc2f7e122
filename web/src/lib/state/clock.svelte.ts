const tickMs = 15_000;

/**
 * One shared "now" for every relative time on screen, so they all move together and a page
 * with fifty timestamps runs one timer, not fifty.
 */
class Clock {
  now = $state(Date.now());

  constructor() {
    setInterval(() => this.tick(), tickMs);
    // Timers are throttled in background tabs; catch up as soon as the tab is visible again.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.tick();
    });
  }

  /**
   * "Now" for formatting: reactive through the tick, yet never older than the moment of the
   * call, so a timestamp that arrived between two ticks does not read as in the future.
   */
  current(): number {
    return Math.max(this.now, Date.now());
  }

  tick(): void {
    this.now = Date.now();
  }
}

export const clock = new Clock();
