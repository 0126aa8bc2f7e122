/**
 * A subscription source that first yields a snapshot, then live events. It starts listening
 * before the snapshot is taken, so nothing that happens in between is missed (a change may
 * arrive twice: in the snapshot and as an event, which is harmless for state).
 */
export async function* snapshotThenLive<T>(
  live: AsyncIterable<T>,
  snapshot: () => readonly T[] | Promise<readonly T[]>,
  accept: (value: T) => boolean = () => true,
): AsyncGenerator<T> {
  const it = live[Symbol.asyncIterator]();
  let pending = it.next();
  try {
    for (const value of await snapshot()) yield value;
    for (;;) {
      const r = await pending;
      if (r.done) return;
      pending = it.next();
      if (accept(r.value)) yield r.value;
    }
  } finally {
    await it.return?.();
  }
}
