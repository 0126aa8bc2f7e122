import { describe, expect, it } from 'vitest';
import type { PushSink } from '../../server/events/bus.js';
import type { WorkerView } from '../../server/daemons/views.js';
import { createEventBus, MAX_QUEUED_EVENTS, SubscriberOverflowError } from '../../server/events/bus.js';
import { snapshotThenLive } from '../../server/graphql/live.js';

const view = (name: string, n = 0): WorkerView => ({ name, runCount: n }) as unknown as WorkerView;

/** A push-mode sink that records what it gets, in order. */
function recorder<T>(): PushSink<T> & { log: unknown[] } {
  const log: unknown[] = [];
  return {
    log,
    next: (v) => log.push(v),
    error: (e) => log.push(`error: ${(e as Error).message}`),
    complete: () => log.push('complete'),
  };
}

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('event bus', () => {
  it('delivers the same payload object to every subscriber, in order, from the moment they subscribe', async () => {
    const bus = createEventBus();
    const a = bus.subscribe('daemon:changed');
    const b = bus.subscribe('daemon:changed');
    const e1 = view('x', 1);
    const e2 = view('x', 2);
    bus.publish('daemon:changed', e1, 'x');
    bus.publish('daemon:changed', e2, 'x');
    expect((await a.next()).value).toBe(e1);
    expect((await a.next()).value).toBe(e2);
    expect((await b.next()).value).toBe(e1);
  });

  it('a mapped stream applies its function as it hands a value out: waiting, queued, snapshot; a throw ends it', async () => {
    const bus = createEventBus();
    const seen: string[] = [];
    const live = snapshotThenLive(bus.subscribe('daemon:changed'), () => [view('snap')]).mapped((w) => {
      seen.push(w.name);
      if (w.name === 'boom') throw new Error('boom');
      return `${w.name}!`;
    });
    expect((await live.next()).value).toBe('snap!');
    const waiting = live.next(); // a reader waits: the value is mapped as it is pushed
    bus.publish('daemon:changed', view('a'), 'a');
    expect((await waiting).value).toBe('a!');
    bus.publish('daemon:changed', view('b'), 'b'); // nobody waits: queued unmapped, mapped at next()
    expect(seen).toEqual(['snap', 'a']);
    expect((await live.next()).value).toBe('b!');
    const failing = live.next();
    bus.publish('daemon:changed', view('boom'), 'boom');
    await expect(failing).rejects.toThrow('boom');
    expect((await live.next()).done).toBe(true); // ended and detached
    bus.publish('daemon:changed', view('c'), 'c');
    expect(seen).toEqual(['snap', 'a', 'b', 'boom']);
  });

  it('routes by key: a keyed subscriber sees only its key', async () => {
    const bus = createEventBus();
    const onlyY = bus.subscribe('daemon:changed', 'y');
    bus.publish('daemon:changed', view('x'), 'x');
    const y = view('y');
    bus.publish('daemon:changed', y, 'y');
    expect((await onlyY.next()).value).toBe(y);
  });

  it('return() ends a waiting subscriber at once and detaches its listener', async () => {
    const target = new EventTarget();
    let listeners = 0;
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => {
      listeners++;
      add(...args);
    };
    target.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => {
      listeners--;
      remove(...args);
    };
    const bus = createEventBus(target);
    const s = bus.subscribe('orchestrator:changed');
    expect(listeners).toBe(1);
    const waiting = s.next();
    await s.return?.();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    expect(listeners).toBe(0);
  });

  it('ends a subscriber that falls too far behind with an error', async () => {
    const bus = createEventBus();
    const slow = bus.subscribe('daemon:changed');
    for (let i = 0; i <= MAX_QUEUED_EVENTS; i++) bus.publish('daemon:changed', view('x', i));
    for (let i = 0; i < MAX_QUEUED_EVENTS; i++) await slow.next();
    await expect(slow.next()).rejects.toBeInstanceOf(SubscriberOverflowError);
    await expect(slow.next()).resolves.toEqual({ value: undefined, done: true });
  });
});

describe('push mode (pushTo)', () => {
  it('flushes what was queued, then hands each published value over synchronously, mapped', () => {
    const bus = createEventBus();
    const stream = bus.subscribe('daemon:changed').mapped((w) => `${w.name}${w.runCount}`);
    bus.publish('daemon:changed', view('a', 1)); // queued before pushTo
    const sink = recorder<string>();
    stream.pushTo(sink);
    expect(sink.log).toEqual(['a1']);
    bus.publish('daemon:changed', view('b', 2));
    expect(sink.log).toEqual(['a1', 'b2']); // no await in between: delivered within publish
  });

  it('keeps the order when a mapping is asynchronous', async () => {
    const bus = createEventBus();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stream = bus
      .subscribe('daemon:changed')
      .mapped((w) => (w.name === 'slow' ? gate.then(() => 'slow!') : `${w.name}!`));
    const sink = recorder<string>();
    stream.pushTo(sink);
    bus.publish('daemon:changed', view('slow'));
    bus.publish('daemon:changed', view('fast'));
    await settle();
    expect(sink.log).toEqual([]); // 'fast' waits for 'slow'
    release();
    await settle();
    expect(sink.log).toEqual(['slow!', 'fast!']);
    bus.publish('daemon:changed', view('later'));
    expect(sink.log).toEqual(['slow!', 'fast!', 'later!']); // synchronous again once nothing is pending
  });

  it('a throwing mapping ends the stream with its error and detaches it', () => {
    const bus = createEventBus();
    let calls = 0;
    const stream = bus.subscribe('daemon:changed').mapped((w) => {
      calls++;
      if (w.name === 'boom') throw new Error('boom');
      return w.name;
    });
    const sink = recorder<string>();
    stream.pushTo(sink);
    bus.publish('daemon:changed', view('ok'));
    bus.publish('daemon:changed', view('boom'));
    bus.publish('daemon:changed', view('after'));
    expect(sink.log).toEqual(['ok', 'error: boom']);
    expect(calls).toBe(2);
  });

  it('a rejected asynchronous mapping ends the stream with its error; later values are not delivered', async () => {
    const bus = createEventBus();
    const stream = bus
      .subscribe('daemon:changed')
      .mapped((w) => (w.name === 'bad' ? Promise.reject(new Error('bad')) : w.name));
    const sink = recorder<string>();
    stream.pushTo(sink);
    bus.publish('daemon:changed', view('bad'));
    bus.publish('daemon:changed', view('queued-behind'));
    await settle();
    expect(sink.log).toEqual(['error: bad']);
    bus.publish('daemon:changed', view('after'));
    expect(sink.log).toEqual(['error: bad']);
  });

  it('a mapping that rejects while an earlier one is still pending ends the stream after that one, without an unhandled rejection', async () => {
    const bus = createEventBus();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const stream = bus
        .subscribe('daemon:changed')
        .mapped((w) => (w.name === 'slow' ? gate.then(() => 'slow!') : Promise.reject(new Error('bad'))));
      const sink = recorder<string>();
      stream.pushTo(sink);
      bus.publish('daemon:changed', view('slow'));
      bus.publish('daemon:changed', view('bad')); // rejects at once, behind 'slow'
      await settle();
      await settle();
      release();
      await settle();
      expect(sink.log).toEqual(['slow!', 'error: bad']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('return() completes the sink and detaches the listener', async () => {
    const bus = createEventBus();
    const stream = bus.subscribe('daemon:changed');
    const sink = recorder<WorkerView>();
    stream.pushTo(sink);
    await stream.return?.();
    bus.publish('daemon:changed', view('x'));
    expect(sink.log).toEqual(['complete']);
  });

  it('snapshotThenLive: an asynchronous snapshot first, then what was published meanwhile, then live', async () => {
    const bus = createEventBus();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stream = snapshotThenLive(bus.subscribe('daemon:changed'), async () => {
      await gate;
      return [view('snap', 1), view('snap', 2)];
    }).mapped((w) => (w.runCount === 1 ? Promise.resolve(`${w.name}${w.runCount}`) : `${w.name}${w.runCount}`));
    const sink = recorder<string>();
    stream.pushTo(sink);
    bus.publish('daemon:changed', view('during', 3));
    await settle();
    expect(sink.log).toEqual([]);
    release();
    await settle();
    expect(sink.log).toEqual(['snap1', 'snap2', 'during3']);
    bus.publish('daemon:changed', view('live', 4));
    expect(sink.log).toEqual(['snap1', 'snap2', 'during3', 'live4']);
    await stream.return?.();
    expect(sink.log.at(-1)).toBe('complete');
  });

  it('snapshotThenLive: return() before the snapshot arrives completes without delivering it', async () => {
    const bus = createEventBus();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stream = snapshotThenLive(bus.subscribe('daemon:changed'), async () => {
      await gate;
      return [view('snap')];
    });
    const sink = recorder<WorkerView>();
    stream.pushTo(sink);
    await stream.return?.();
    release();
    await settle();
    expect(sink.log).toEqual(['complete']);
  });
});

describe('snapshotThenLive', () => {
  it('yields the snapshot, then events published after subscribing (even while the snapshot was taken)', async () => {
    const bus = createEventBus();
    const live = bus.subscribe('daemon:changed');
    const during = view('x', 2);
    const it = snapshotThenLive(live, () => {
      bus.publish('daemon:changed', during); // a change while the snapshot is taken
      return [view('x', 1)];
    });
    expect((await it.next()).value).toMatchObject({ runCount: 1 });
    expect((await it.next()).value).toBe(during);
  });

  it('return() while waiting for an event finishes at once', async () => {
    const bus = createEventBus();
    const it = snapshotThenLive(bus.subscribe('daemon:changed'), () => []);
    const waiting = it.next();
    await it.return?.();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });
});
