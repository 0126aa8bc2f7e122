/**
 * A subscription source that first yields a snapshot, then live events. The live stream must
 * already be listening when this is called (the bus's streams listen from creation), so nothing
 * that happens while the snapshot is taken is missed; a change may arrive twice (in the snapshot
 * and as an event), which is harmless for state. return() ends it at once and detaches the
 * live stream, also while it waits for an event.
 */
export function snapshotThenLive<T>(
  live: AsyncIterableIterator<T>,
  snapshot: () => readonly T[],
): AsyncIterableIterator<T> {
  const first = [...snapshot()];
  let finished = false;
  const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
  const self: AsyncIterableIterator<T> = {
    next() {
      if (finished) return Promise.resolve(done);
      const value = first.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      return live.next();
    },
    async return() {
      finished = true;
      await live.return?.();
      return done;
    },
    async throw(error: unknown) {
      finished = true;
      await live.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return self;
    },
  };
  return self;
}
