/**
 * A subscription source that first yields a snapshot, then live events. The live stream must
 * already be listening when this is called (the bus's streams listen from creation), so nothing
 * that happens while the snapshot is taken is missed; a change may arrive twice (in the snapshot
 * and as an event), which is harmless for state. return() ends it at once and detaches the
 * live stream, also while it waits for an event.
 */
export function snapshotThenLive<T>(
  live: AsyncIterableIterator<T>,
  snapshot: () => readonly T[] | Promise<readonly T[]>,
): AsyncIterableIterator<T> {
  const taken = snapshot();
  let first: T[] | null = Array.isArray(taken) ? [...(taken as readonly T[])] : null;
  const pending = first ? null : Promise.resolve(taken).then((v) => (first = [...v]));
  let finished = false;
  const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
  const fromSnapshot = (): Promise<IteratorResult<T>> => {
    const value = (first as T[]).shift();
    return value !== undefined ? Promise.resolve({ value, done: false }) : live.next();
  };
  const self: AsyncIterableIterator<T> = {
    next() {
      if (finished) return Promise.resolve(done);
      return first ? fromSnapshot() : (pending as Promise<unknown>).then(() => (finished ? done : fromSnapshot()));
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
