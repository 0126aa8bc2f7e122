import type { MappableStream, PushSink } from '../events/bus.js';

/**
 * A subscription source that first yields a snapshot, then live events. The live stream must
 * already be listening when this is called (the bus's streams listen from creation), so nothing
 * that happens while the snapshot is taken is missed; a change may arrive twice (in the snapshot
 * and as an event), which is harmless for state. return() ends it at once and detaches the
 * live stream, also while it waits for an event.
 */
export function snapshotThenLive<T>(
  live: MappableStream<T>,
  snapshot: () => readonly T[] | Promise<readonly T[]>,
): MappableStream<T> {
  const taken = snapshot();
  let first: T[] | null = Array.isArray(taken) ? [...(taken as readonly T[])] : null;
  const pending = first ? null : Promise.resolve(taken).then((v) => (first = [...v]));
  let finished = false;
  const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
  // mapped(): the snapshot values are mapped here, the live ones by the live stream itself
  let map: ((value: T) => unknown) | null = null;
  let source: AsyncIterableIterator<unknown> = live;
  const fromSnapshot = (): Promise<IteratorResult<T>> => {
    const value = (first as T[]).shift();
    if (value === undefined) return source.next() as Promise<IteratorResult<T>>;
    if (map === null) return Promise.resolve({ value, done: false });
    const fn = map;
    return new Promise((resolve) => resolve(fn(value))).then((v) => ({ value: v as T, done: false }));
  };
  const self: MappableStream<T> = {
    mapped<R>(fn: (value: T) => R | Promise<R>): MappableStream<R> {
      map = fn as (value: T) => unknown;
      source = live.mapped(fn);
      return self as unknown as MappableStream<R>;
    },
    pushTo(sink: PushSink<T>): void {
      // The snapshot first, in order (its mapping may be asynchronous), then the live stream,
      // which has queued what was published meanwhile.
      const fn = map;
      const deliverSnapshot = (values: T[]): void | Promise<void> => {
        let chain: Promise<void> | null = null;
        for (const value of values) {
          if (fn === null) {
            sink.next(value);
            continue;
          }
          if (chain === null) {
            const out = fn(value);
            if (typeof (out as { then?: unknown } | null)?.then !== 'function') {
              sink.next(out as T);
              continue;
            }
            chain = Promise.resolve(out).then((v) => sink.next(v as T));
          } else {
            chain = chain.then(() => fn(value)).then((v) => sink.next(v as T));
          }
        }
        return chain ?? undefined;
      };
      const goLive = (): void => {
        if (finished) sink.complete();
        else (source as MappableStream<T>).pushTo(sink);
      };
      const fail = (err: unknown): void => {
        finished = true;
        void live.return?.();
        sink.error(err);
      };
      try {
        const snapshotDone = first ? deliverSnapshot(first.splice(0)) : (pending as Promise<unknown>).then(() => (finished ? undefined : deliverSnapshot((first as T[]).splice(0))));
        if (snapshotDone) snapshotDone.then(goLive, fail);
        else goLive();
      } catch (err) {
        fail(err);
      }
    },
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
